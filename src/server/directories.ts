import { cached } from '../cache/cached-provider.js';
import { MemoryStore } from '../cache/memory-store.js';
import { RedisStore } from '../cache/redis-store.js';
import type { DirectoryConfig } from '../config/config.js';
import type { DirectoryProvider } from '../directory/port.js';
import { DirectoryRegistry } from '../directory/registry.js';
import { HttpClient } from '../http/client.js';
import type { Metrics } from '../observability/metrics.js';
import { createAppServicesProvider } from '../providers/app-services/provider.js';
import { createMonoCloudProvider } from '../providers/monocloud/provider.js';
import { createZitadelProvider } from '../providers/zitadel/provider.js';
import { DirectoryGuard } from '../resilience/guard.js';
import { observed } from '../resilience/observed-provider.js';
import { resolveResilience } from '../resilience/options.js';
import { RecoveryProbe } from '../resilience/recovery-probe.js';
import type { Varying } from '../resilience/token-bucket.js';
import type { SharedState } from '../shared/shared-state.js';
import { SharedTokenBucket } from '../shared/shared-token-bucket.js';

// The composition root: config → the directory's guard → its HttpClient → its provider → the observed
// provider → the registry. main.ts, demo mode, the tests, the soak and the bench all build directories
// here and nowhere else.

/** What the directories are built with besides their config. */
export interface DirectoryServices {
  /** Prometheus metrics each guard reports to. */
  readonly metrics?: Metrics;
  /** Redis, shared by the replicas: each directory's outbound quota and hold-offs go through it. */
  readonly shared?: SharedState;
}

/** Every configured directory, ready to serve. */
export function buildDirectories(
  configs: readonly DirectoryConfig[],
  services: DirectoryServices = {},
  /** Directories already built (a reload): one whose config is unchanged is kept, state and all. */
  previous?: BuiltDirectories,
): DirectoryRegistry {
  const providers = configs.map((config) => previous?.reusable(config) ?? buildDirectory(config, services));
  return new DirectoryRegistry(providers);
}

/** The directories of one registry by the exact config each was built from. */
export class BuiltDirectories {
  private readonly byConfig: ReadonlyMap<string, DirectoryProvider>;

  constructor(configs: readonly DirectoryConfig[], registry: DirectoryRegistry) {
    this.byConfig = new Map(
      configs.map((config, index) => [
        JSON.stringify(config),
        registry.providers[index] as DirectoryProvider,
      ]),
    );
  }

  reusable(config: DirectoryConfig): DirectoryProvider | undefined {
    return this.byConfig.get(JSON.stringify(config));
  }
}

/** One directory: its provider behind its own guard (breaker, limiter, retries), observed for health. */
export function buildDirectory(config: DirectoryConfig, services: DirectoryServices = {}): DirectoryProvider {
  const { metrics, shared } = services;
  const resilience = resolveResilience(config.resilience, config.provider, config.baseUrl);
  const guard = new DirectoryGuard({
    provider: config.provider,
    directory: config.name,
    ...resilience,
    fallbackDeadlineMs: config.timeoutMs,
    ...(metrics ? { observer: metrics.observer(config.name, config.provider) } : {}),
    // Breakers and retry budgets stay per replica: each judges the calls it makes (docs/scaling-out.md).
    ...(shared
      ? {
          sharing: {
            tokens: (rate: () => number, burst: Varying) =>
              new SharedTokenBucket(shared, config.name, rate, burst, () =>
                metrics?.quotaFallback(config.name, config.provider),
              ),
            onHoldOff: (ms: number) => shared.publishHoldOff(config.name, ms),
            onRateDecrease: (rate: number) => shared.publishRate(config.name, rate),
          },
        }
      : {}),
  });
  shared?.onHoldOff(config.name, (ms) => guard.limiter.pause(Date.now() + ms));
  shared?.onRate(config.name, (rate) => guard.rate.adopt(rate));
  metrics?.watch(config.name, config.provider, guard);
  const http = new HttpClient({
    provider: config.provider,
    directory: config.name,
    baseUrl: config.baseUrl,
    timeoutMs: config.timeoutMs,
    // A socket per call the directory may have in flight (the guard's cap, across all requests).
    connections: resilience.maxConcurrent,
    ...(config.tls?.ca === undefined ? {} : { ca: config.tls.ca }),
    ...(config.tls?.http2 === true ? { http2: true } : {}),
    guard,
  });
  const inner = providerFor(config, http);
  // A DOWN directory is probed in the background, so it comes back without waiting for a caller.
  const probe = new RecoveryProbe(inner, guard, resilience.probeIntervalMs);
  guard.whenDown(() => probe.down());
  const provider = observed(inner, guard, () => probe.stop());
  const cache = config.cache;
  if (cache === undefined) return provider;
  const inRedis = shared !== undefined && cache.store !== 'memory';
  return cached(provider, {
    settings: cache,
    store: inRedis
      ? new RedisStore(shared, () => metrics?.cacheError(config.name, config.provider))
      : new MemoryStore(cache.maxEntries),
    primeFromLists: provider.listedUsersComplete === true,
    ...(metrics
      ? {
          onLookup: (fact, result, count) =>
            metrics.cacheLookup(config.name, config.provider, fact, result, count),
        }
      : {}),
  });
}

function providerFor(config: DirectoryConfig, http: HttpClient): DirectoryProvider {
  switch (config.provider) {
    case 'monocloud':
      return createMonoCloudProvider({ ...config, http });
    case 'zitadel':
      return createZitadelProvider({ ...config, http });
    case 'app-services':
      return createAppServicesProvider({ ...config, http });
  }
}
