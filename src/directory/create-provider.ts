import type { DirectoryConfig } from '../config.js';
import { createAppServicesProvider } from '../providers/app-services/provider.js';
import { createMonoCloudProvider } from '../providers/monocloud/provider.js';
import { createZitadelProvider } from '../providers/zitadel/provider.js';
import type { DirectoryProvider } from './port.js';

/** Builds the provider a directory's configuration names. */
export function createProvider(config: DirectoryConfig): DirectoryProvider {
  switch (config.provider) {
    case 'monocloud':
      return createMonoCloudProvider(config);
    case 'zitadel':
      return createZitadelProvider(config);
    case 'app-services':
      return createAppServicesProvider(config);
  }
}
