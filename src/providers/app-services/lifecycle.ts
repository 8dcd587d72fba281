import type {
  AccountFacts,
  AccountLifecycle,
  ActionInput,
  LifecycleAction,
  PlannedCall,
} from '../../directory/lifecycle.js';
import type { CallOptions } from '../../directory/port.js';
import type { AppServicesClient } from './client.js';

// Atlas App Services' writes (Admin API v3; lifecycle-actions.md §3): PUT disable, enable and logout,
// DELETE the user, each answered 204. Disabling also invalidates the user's tokens, so a suspension
// needs no logout. Sessions cannot be listed, so a sign-out always calls logout (idempotent by PUT
// semantics) and cannot be verified by reading. App Services has no passkeys and no call that unlinks
// one identity.

export function appServicesLifecycle(client: AppServicesClient): AccountLifecycle {
  const user = (id: string) => `${client.appPath}/users/${encodeURIComponent(id)}`;
  const put = (id: string, verb: 'disable' | 'enable' | 'logout'): PlannedCall => ({
    method: 'PUT',
    path: `${user(id)}/${verb}`,
    operation: `PUT /groups/{groupId}/apps/{appId}/users/{userId}/${verb}`,
  });
  // Reads: the user, before and after.
  const reads = 2;
  return {
    unsupported: {
      removePasskey: 'App Services has no passkeys',
      removeIdentity: 'App Services removes an identity only with its user',
    },
    maxCalls: {
      suspend: reads + 1,
      resume: reads + 1,
      signOut: reads + 1,
      removePasskey: 0,
      removeIdentity: 0,
      delete: reads + 1,
    },
    readsSessions: () => false,
    suspension: (facts) => ({ by: 'disabled', previous: facts.status }),
    plan(action: LifecycleAction, id: string, facts: AccountFacts, input: ActionInput): PlannedCall[] {
      switch (action) {
        case 'suspend':
          return facts.status === 'DISABLED' ? [] : [put(id, 'disable')];
        case 'resume':
          return input.suspension?.by === 'disabled' && facts.status === 'DISABLED'
            ? [put(id, 'enable')]
            : [];
        case 'signOut':
          return [put(id, 'logout')];
        case 'delete':
          return [
            {
              method: 'DELETE',
              path: user(id),
              operation: 'DELETE /groups/{groupId}/apps/{appId}/users/{userId}',
            },
          ];
        default:
          return [];
      }
    },
    send: (call: PlannedCall, options?: CallOptions) => client.write(call, options),
  };
}
