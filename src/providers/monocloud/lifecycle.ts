import type {
  AccountFacts,
  AccountLifecycle,
  ActionInput,
  LifecycleAction,
  PlannedCall,
} from '../../directory/lifecycle.js';
import { namedIdentity, namedPasskey, SESSIONS_PER_ACCOUNT } from '../../directory/lifecycle.js';
import type { CallOptions } from '../../directory/port.js';
import type { MonoCloudClient } from './client.js';

// MonoCloud's writes (Management API; lifecycle-actions.md §1). `disable` takes `revoke_sessions`,
// which signs the user out everywhere in the same call; a sign-out without disabling lists the
// sessions (Pro plan) and deletes them one by one, since no call revokes them all. What a repeat
// answers (200, 409 or 422) is unconfirmed: the plan never repeats, it reads `disabled` first.

const path = (id: string) => `/api/users/${encodeURIComponent(id)}`;

export function monoCloudLifecycle(client: MonoCloudClient): AccountLifecycle {
  // Reads: the user (passkeys and identities are on it), and for a sign-out its sessions; twice.
  const reads = 2 * 2;
  return {
    unsupported: {},
    maxCalls: {
      suspend: reads + 1,
      resume: reads + 1,
      signOut: reads + SESSIONS_PER_ACCOUNT,
      removePasskey: reads + 1,
      removeIdentity: reads + 1,
      delete: reads + 1,
    },
    readsSessions: (action) => action === 'signOut',
    suspension: (facts) => ({ by: 'disabled', previous: facts.status }),
    plan(action: LifecycleAction, id: string, facts: AccountFacts, input: ActionInput): PlannedCall[] {
      switch (action) {
        case 'suspend':
          return facts.status === 'DISABLED'
            ? []
            : [
                {
                  method: 'POST',
                  path: `${path(id)}/disable`,
                  operation: 'POST /api/users/{user_id}/disable',
                  body: { revoke_sessions: input.revokeSessions === true },
                },
              ];
        case 'resume':
          return input.suspension?.by === 'disabled' && facts.status === 'DISABLED'
            ? [{ method: 'POST', path: `${path(id)}/enable`, operation: 'POST /api/users/{user_id}/enable' }]
            : [];
        case 'signOut':
          return (facts.sessions ?? []).map((session) => ({
            method: 'DELETE',
            path: `${path(id)}/sessions/${encodeURIComponent(session)}`,
            operation: 'DELETE /api/users/{user_id}/sessions/{session_id}',
          }));
        case 'removePasskey': {
          const passkey = namedPasskey(facts, input);
          return passkey !== null
            ? [
                {
                  method: 'DELETE',
                  path: `${path(id)}/passkeys/${encodeURIComponent(passkey)}`,
                  operation: 'DELETE /api/users/{user_id}/passkeys/{passkey_id}',
                },
              ]
            : [];
        }
        case 'removeIdentity': {
          const link = namedIdentity(facts, input);
          return link !== null
            ? [
                {
                  method: 'POST',
                  path: `${path(id)}/external_authenticator/disconnect`,
                  operation: 'POST /api/users/{user_id}/external_authenticator/disconnect',
                  body: { authenticator: link.provider, provider_user_id: link.providerUserId },
                },
              ]
            : [];
        }
        case 'delete':
          return [{ method: 'DELETE', path: path(id), operation: 'DELETE /api/users/{user_id}' }];
      }
    },
    send: (call: PlannedCall, options?: CallOptions) => client.write(call, options),
  };
}
