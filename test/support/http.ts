import type { ProviderKind } from '../../src/directory/model.js';
import { HttpClient } from '../../src/http/client.js';

/**
 * An HttpClient with no guard (every call sent once, as is) for tests of one provider or client; the
 * app builds guarded ones in src/directories.ts.
 */
export function bareHttp(
  provider: ProviderKind,
  baseUrl: string,
  options: { readonly timeoutMs?: number; readonly connections?: number } = {},
): HttpClient {
  return new HttpClient({
    provider,
    directory: provider,
    baseUrl,
    timeoutMs: options.timeoutMs ?? 10_000,
    connections: options.connections ?? 8,
  });
}
