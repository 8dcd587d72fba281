import type { DirectoryConfig } from './config.js';
import type { DirectoryProvider } from './directory/port.js';
import { DirectoryRegistry } from './directory/registry.js';
import { HttpClient } from './http/client.js';
import type { Metrics } from './observability/metrics.js';
import { createAppServicesProvider } from './providers/app-services/provider.js';
import { createMonoCloudProvider } from './providers/monocloud/provider.js';
import { createZitadelProvider } from './providers/zitadel/provider.js';
import { DirectoryGuard } from './resilience/guard.js';
import { observed } from './resilience/observed-provider.js';
import { resolveResilience } from './resilience/options.js';

// The composition root: config → the directory's guard → its HttpClient → its provider → the observed
// provider → the registry. main.ts, demo mode, the tests, the soak and the bench all build directories
// here and nowhere else.

/** Every configured directory, ready to serve; with `metrics`, each guard reports to them. */
export function buildDirectories(configs: readonly DirectoryConfig[], metrics?: Metrics): DirectoryRegistry {
  return new DirectoryRegistry(configs.map((config) => buildDirectory(config, metrics)));
}

/** One directory: its provider behind its own guard (breaker, limiter, retries), observed for health. */
export function buildDirectory(config: DirectoryConfig, metrics?: Metrics): DirectoryProvider {
  const resilience = resolveResilience(config.resilience, config.provider, config.concurrency);
  const guard = new DirectoryGuard({
    provider: config.provider,
    directory: config.name,
    ...resilience,
    fallbackDeadlineMs: config.timeoutMs,
    ...(metrics ? { observer: metrics.observer(config.name, config.provider) } : {}),
  });
  metrics?.watch(config.name, config.provider, guard);
  const http = new HttpClient({
    provider: config.provider,
    directory: config.name,
    baseUrl: config.baseUrl,
    timeoutMs: config.timeoutMs,
    // A socket per call the directory may have in flight (the guard's cap, across all requests).
    connections: resilience.maxConcurrent,
    guard,
  });
  return observed(providerFor(config, http), guard);
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
