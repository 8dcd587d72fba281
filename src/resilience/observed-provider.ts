import type { DirectoryProvider } from '../directory/port.js';
import type { DirectoryGuard } from './guard.js';

const OPTIONAL_READS = [
  'capabilities',
  'getUserGroups',
  'getGroups',
  'listGroups',
  'listGroupMembers',
  'getUserRoles',
  'getUserSessions',
  'listChanges',
] as const satisfies readonly (keyof DirectoryProvider)[];

/**
 * The provider as the GraphQL layer uses it, telling the guard about every error its callers get
 * (including off-contract bodies, which only the provider's decoding sees) and exposing `health`.
 */
export function observed(
  provider: DirectoryProvider,
  guard: DirectoryGuard,
  onClose?: () => void,
): DirectoryProvider {
  const watch =
    <A extends unknown[], R>(method: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        const result = await method(...args);
        if (Array.isArray(result)) {
          // A batch-wide failure is one error object repeated per key: note it once.
          for (const error of new Set(result.filter((item) => item instanceof Error))) guard.noteError(error);
        }
        return result;
      } catch (error) {
        guard.noteError(error);
        throw error;
      }
    };
  const { getPasskeys, getIdentities, findUsersByEmail, close } = provider;
  // The optional reads beyond users, each watched the same way when the provider has it.
  const optional: Partial<DirectoryProvider> = {};
  for (const name of OPTIONAL_READS) {
    const method = provider[name] as ((...args: unknown[]) => Promise<unknown>) | undefined;
    if (method) (optional as Record<string, unknown>)[name] = watch(method.bind(provider));
  }
  return {
    ...optional,
    name: provider.name,
    provider: provider.provider,
    getUsers: watch(provider.getUsers.bind(provider)),
    listUsers: watch(provider.listUsers.bind(provider)),
    ...(getPasskeys ? { getPasskeys: watch(getPasskeys.bind(provider)) } : {}),
    ...(getIdentities ? { getIdentities: watch(getIdentities.bind(provider)) } : {}),
    ...(findUsersByEmail ? { findUsersByEmail: watch(findUsersByEmail.bind(provider)) } : {}),
    close: async () => {
      onClose?.();
      await close?.call(provider);
    },
    ...(provider.calls ? { calls: provider.calls } : {}),
    ...(provider.lifecycle ? { lifecycle: provider.lifecycle } : {}),
    ...(provider.listedUsersComplete === undefined
      ? {}
      : { listedUsersComplete: provider.listedUsersComplete }),
    health: () => guard.health(),
  };
}
