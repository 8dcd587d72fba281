import type {
  AccountFacts,
  AccountLifecycle,
  ActionInput,
  LifecycleAction,
  PlannedCall,
  Suspension,
} from '../../directory/lifecycle.js';
import { namedIdentity, namedPasskey, SESSIONS_PER_ACCOUNT } from '../../directory/lifecycle.js';
import type { CallOptions } from '../../directory/port.js';
import type { ZitadelClient } from './client.js';
import { toZitadelUser } from './mapper.js';

// ZITADEL's writes (UserService v2 and SessionService v2 over REST; lifecycle-actions.md §2). Its user
// state machine refuses every repeat with FAILED_PRECONDITION, so the plan reads the state first:
// ACTIVE or LOCKED is deactivated, INITIAL (which cannot be deactivated) is locked, INACTIVE is left
// alone. Sessions survive deactivation, so a suspension that revokes them deletes them one by one
// (DeleteSession is idempotent); there is no call that revokes a user's OIDC refresh tokens, which
// deactivation blocks instead.

const path = (id: string) => `/v2/users/${encodeURIComponent(id)}`;

const userCall = (id: string, verb: 'deactivate' | 'reactivate' | 'lock' | 'unlock'): PlannedCall => ({
  method: 'POST',
  path: `${path(id)}/${verb}`,
  operation: `POST /v2/users/{userId}/${verb}`,
  body: {},
});

const deleteSession = (sessionId: string): PlannedCall => ({
  method: 'DELETE',
  path: `/v2/sessions/${encodeURIComponent(sessionId)}`,
  operation: 'DELETE /v2/sessions/{sessionId}',
  body: {},
});

export function zitadelLifecycle(client: ZitadelClient, directory: string): AccountLifecycle {
  // Reads: the user, then its passkeys, links (up to three pages) or sessions where the action needs
  // them; twice (before and after). Writes: at most two state calls, or one per session.
  const reads = 2 * (1 + 3);
  return {
    unsupported: {},
    async readUser(localId: string, options?: CallOptions) {
      const wire = await client.getUser(localId, options);
      return wire === null ? null : toZitadelUser(wire, directory);
    },
    maxCalls: {
      suspend: reads + 1 + SESSIONS_PER_ACCOUNT,
      resume: reads + 2,
      signOut: reads + SESSIONS_PER_ACCOUNT,
      removePasskey: reads + 1,
      removeIdentity: reads + 1,
      delete: reads + 1,
    },
    readsSessions: (action, input) =>
      action === 'signOut' || (action === 'suspend' && input.revokeSessions === true),
    suspension,
    plan(action: LifecycleAction, id: string, facts: AccountFacts, input: ActionInput): PlannedCall[] {
      const sessions = (facts.sessions ?? []).map(deleteSession);
      switch (action) {
        case 'suspend': {
          const ours = input.suspension?.by === 'locked' && facts.status === 'LOCKED';
          const state =
            facts.status === 'INACTIVE' || ours
              ? []
              : facts.status === 'INITIAL'
                ? [userCall(id, 'lock')]
                : [userCall(id, 'deactivate')];
          return input.revokeSessions === true ? [...state, ...sessions] : state;
        }
        case 'resume': {
          const how = input.suspension;
          if (how?.by === 'locked') return facts.status === 'LOCKED' ? [userCall(id, 'unlock')] : [];
          if (how?.by !== 'deactivated' || facts.status !== 'INACTIVE') return [];
          // A user its lockout policy had locked is locked again: resume undoes usergraph's act only.
          return how.previous === 'LOCKED'
            ? [userCall(id, 'reactivate'), userCall(id, 'lock')]
            : [userCall(id, 'reactivate')];
        }
        case 'signOut':
          return sessions;
        case 'removePasskey': {
          const passkey = namedPasskey(facts, input);
          return passkey !== null
            ? [
                {
                  method: 'DELETE',
                  path: `${path(id)}/passkeys/${encodeURIComponent(passkey)}`,
                  operation: 'DELETE /v2/users/{userId}/passkeys/{passkeyId}',
                },
              ]
            : [];
        }
        case 'removeIdentity': {
          const link = namedIdentity(facts, input);
          return link !== null
            ? [
                {
                  method: 'DELETE',
                  path: `${path(id)}/links/${encodeURIComponent(link.provider)}/${encodeURIComponent(link.providerUserId)}`,
                  operation: 'DELETE /v2/users/{userId}/links/{idpId}/{linkedUserId}',
                },
              ]
            : [];
        }
        case 'delete':
          return [{ method: 'DELETE', path: path(id), operation: 'DELETE /v2/users/{userId}' }];
      }
    },
    send: (call: PlannedCall, options?: CallOptions) => client.write(call, options),
  };
}

function suspension(facts: AccountFacts): Suspension {
  return { by: facts.status === 'INITIAL' ? 'locked' : 'deactivated', previous: facts.status };
}
