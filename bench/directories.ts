import type { SimulatorsInfo } from './simulators-process.js';

// The directories the gateway and the floor are both pointed at: `instances` entries per provider,
// all of one provider pointing at the same simulator under different names.

interface Common {
  readonly name: string;
  readonly baseUrl: string;
  /** The bench's CA, when the simulators serve HTTPS (BENCH_TLS=1), and HTTP/2 offered (BENCH_H2=1). */
  readonly tls?: { readonly ca: string; readonly http2: boolean };
  /** Upstream calls in flight at once per batch, the same for the gateway and the floor. */
  readonly concurrency: number;
  /**
   * The gateway's outbound limits per directory (the floor has none). The defaults protect a real
   * provider's quota (50 requests/s, and `concurrency` calls in flight across all GraphQL requests);
   * the simulators have no quota, so the bench sizes them for its load instead: 16 concurrent
   * operations × `concurrency` calls, and a rate that never binds.
   */
  readonly resilience?: {
    readonly maxConcurrent: number;
    readonly rateLimit: { readonly requestsPerSecond: number };
  };
  /** The user cache, for the cached scenarios (the floor ignores it). */
  readonly cache?: { readonly ttlSeconds: number };
}

export type BenchDirectory =
  | (Common & { readonly provider: 'monocloud'; readonly apiKey: string })
  | (Common & { readonly provider: 'zitadel'; readonly token: string; readonly chunkSize: number })
  | (Common & {
      readonly provider: 'app-services';
      readonly groupId: string;
      readonly appId: string;
      readonly publicApiKey: string;
      readonly privateApiKey: string;
    });

export type ProviderKey = 'monocloud' | 'zitadel' | 'appServices';

export const PROVIDER_KEY: Readonly<Record<BenchDirectory['provider'], ProviderKey>> = {
  monocloud: 'monocloud',
  zitadel: 'zitadel',
  'app-services': 'appServices',
};

const BASE_NAMES: Readonly<Record<ProviderKey, string>> = {
  monocloud: 'acme',
  zitadel: 'corp',
  appServices: 'mobile',
};

export function directoryName(provider: ProviderKey, instance: number, instances: number): string {
  return instances === 1 ? BASE_NAMES[provider] : `${BASE_NAMES[provider]}-${instance + 1}`;
}

/** Interleaved by instance (acme-1, corp-1, mobile-1, acme-2, …), like a real multi-tenant config. */
export function benchDirectories(
  sims: SimulatorsInfo,
  instances: number,
  concurrency: number,
  connections: number,
  cache = false,
  /** No `resilience:` section: the limits a user gets by default (the floor has none either way). */
  defaults = false,
): BenchDirectory[] {
  const common = {
    concurrency,
    ...(sims.ca === undefined ? {} : { tls: { ca: sims.ca, http2: sims.http2 === true } }),
    ...(cache ? { cache: { ttlSeconds: 3600 } } : {}),
    ...(defaults
      ? {}
      : {
          resilience: {
            maxConcurrent: concurrency * connections,
            rateLimit: { requestsPerSecond: 100_000 },
          },
        }),
  };
  const out: BenchDirectory[] = [];
  for (let i = 0; i < instances; i += 1) {
    out.push(
      {
        provider: 'monocloud',
        name: directoryName('monocloud', i, instances),
        baseUrl: sims.monocloud.url,
        apiKey: sims.monocloud.apiKey,
        ...common,
      },
      {
        provider: 'zitadel',
        name: directoryName('zitadel', i, instances),
        baseUrl: sims.zitadel.url,
        token: sims.zitadel.token,
        chunkSize: 100,
        ...common,
      },
      {
        provider: 'app-services',
        name: directoryName('appServices', i, instances),
        baseUrl: sims.appServices.url,
        groupId: sims.appServices.groupId,
        appId: sims.appServices.appId,
        publicApiKey: sims.appServices.publicApiKey,
        privateApiKey: sims.appServices.privateApiKey,
        ...common,
      },
    );
  }
  return out;
}
