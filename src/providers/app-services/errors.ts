import { kindForStatus, parseRetryAfter, UpstreamError } from '../../errors.js';
import type { HttpResponse } from '../../http/client.js';
import { tryParseJson } from '../../http/decode.js';
import { WireError } from './wire.js';

/** App Services' code for a missing, expired or revoked session (realm-cli `invalidSessionCode`). */
export const INVALID_SESSION = 'InvalidSession';

/** The `error_code` of an error body, or null when the body is not the `{error, error_code}` shape. */
export function errorCodeOf(response: HttpResponse): string | null {
  const parsed = WireError.safeParse(tryParseJson(response.body));
  return parsed.success ? (parsed.data.error_code ?? null) : null;
}

/**
 * A non-2xx answer as an UpstreamError. Only `error_code` is kept: the `error` text can echo what was
 * sent (ids, key names), and neither the body nor any header value is copied.
 */
export function upstreamError(operation: string, response: HttpResponse, now: number): UpstreamError {
  return new UpstreamError({
    provider: 'app-services',
    kind: kindForStatus(response.status),
    operation,
    status: response.status,
    providerCode: errorCodeOf(response),
    retryAfterMs: response.status === 429 ? parseRetryAfter(response.header('retry-after'), now) : null,
  });
}
