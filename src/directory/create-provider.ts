import type { DirectoryConfig } from '../config.js';
import { createAppServicesProvider } from '../providers/app-services/provider.js';
import { createMonoCloudProvider } from '../providers/monocloud/provider.js';
import { createZitadelProvider } from '../providers/zitadel/provider.js';
import { DirectoryGuard } from '../resilience/guard.js';
import { observed } from '../resilience/observed-provider.js';
import { resolveResilience } from '../resilience/options.js';
import type { DirectoryProvider } from './port.js';

/** Builds the provider a directory's configuration names, behind its own resilience guard. */
export function createProvider(config: DirectoryConfig): DirectoryProvider {
  const guard = new DirectoryGuard({
    provider: config.provider,
    ...resolveResilience(config.resilience, config.provider, config.concurrency),
    fallbackDeadlineMs: config.timeoutMs,
  });
  return observed(build(config, guard), guard);
}

function build(config: DirectoryConfig, guard: DirectoryGuard): DirectoryProvider {
  switch (config.provider) {
    case 'monocloud':
      return createMonoCloudProvider({ ...config, guard });
    case 'zitadel':
      return createZitadelProvider({ ...config, guard });
    case 'app-services':
      return createAppServicesProvider({ ...config, guard });
  }
}
