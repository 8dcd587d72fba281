import { createZitadelProvider, type ZitadelProvider } from '../../src/providers/zitadel/provider.js';
import { bareHttp } from './http.js';

export type ZitadelOptions = Partial<Parameters<typeof createZitadelProvider>[0]> & { timeoutMs?: number };

/** A ZITADEL provider for directory `corp` on a bare HttpClient, remembered in `opened` for closing. */
export function zitadelProvider(
  origin: string,
  token: string,
  opened: { close(): Promise<void> }[],
  options: ZitadelOptions = {},
): ZitadelProvider {
  const { timeoutMs, ...rest } = options;
  const created = createZitadelProvider({
    name: 'corp',
    http: bareHttp('zitadel', origin, { timeoutMs }),
    token,
    ...rest,
  });
  opened.push(created);
  return created;
}
