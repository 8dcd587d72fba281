import type { ProviderKind } from '../directory/model.js';

/** The concrete GraphQL type of a user from each provider. */
export const USER_TYPE_NAME: Readonly<
  Record<ProviderKind, 'MonoCloudUser' | 'ZitadelUser' | 'AppServicesUser'>
> = {
  monocloud: 'MonoCloudUser',
  zitadel: 'ZitadelUser',
  'app-services': 'AppServicesUser',
};
