import type { Route, SimResponse } from '../server.js';
import type { MonoCloudAccess } from './access.js';
import type { StoredUser, UserRecord } from './records.js';

// MonoCloud's write calls (lifecycle-actions.md §1), as its Management API documents them: disable
// (with `revoke_sessions`) and enable answer 200 with the user, removals 204. What a repeated disable or
// enable answers is unconfirmed: `repeats` chooses 200 with the unchanged user (the default), 409 or 422,
// so clients are tested against each. Sessions need the Pro plan (402 below it, as reads do).

export interface MonoCloudWriteState {
  readonly byId: Map<string, StoredUser>;
  readonly access: MonoCloudAccess;
  readonly problem: (status: number, detail: string) => SimResponse;
  readonly update: (userId: string, changes: Partial<UserRecord>) => void;
  readonly remove: (userId: string) => void;
  /** What a repeated state change answers. */
  repeats: 'ok' | 409 | 422;
}

const NO_CONTENT: SimResponse = { status: 204 };

export function monoCloudWriteRoutes(state: MonoCloudWriteState): Route[] {
  const user = (id: string | undefined) => (id === undefined ? undefined : state.byId.get(id));
  const missing = () => state.problem(404, 'User not found');
  const setDisabled = (id: string | undefined, disabled: boolean, revokeSessions: boolean): SimResponse => {
    const found = user(id);
    if (found === undefined || id === undefined) return missing();
    if (found.full.disabled === disabled && state.repeats !== 'ok') {
      return state.problem(state.repeats, disabled ? 'User is already disabled' : 'User is already enabled');
    }
    state.update(id, { disabled });
    if (revokeSessions) state.access.endAllSessions(id);
    return { status: 200, body: state.byId.get(id)?.full };
  };
  return [
    {
      name: 'disableUser',
      method: 'POST',
      pattern: '/api/users/:id/disable',
      handle: (req) => {
        const body = (req.body ?? {}) as { revoke_sessions?: unknown };
        if (body.revoke_sessions !== undefined && typeof body.revoke_sessions !== 'boolean') {
          return state.problem(422, 'revoke_sessions must be a boolean');
        }
        return setDisabled(req.params.id, true, body.revoke_sessions === true);
      },
    },
    {
      name: 'enableUser',
      method: 'POST',
      pattern: '/api/users/:id/enable',
      handle: (req) => setDisabled(req.params.id, false, false),
    },
    {
      name: 'revokeUserSession',
      method: 'DELETE',
      pattern: '/api/users/:id/sessions/:sessionId',
      handle: (req) => {
        if (state.access.plan !== 'pro')
          return state.problem(402, 'User session management requires an active Pro plan.');
        if (user(req.params.id) === undefined) return missing();
        return state.access.endSession(req.params.id ?? '', req.params.sessionId ?? '')
          ? NO_CONTENT
          : state.problem(404, 'Session not found');
      },
    },
    {
      name: 'removePasskey',
      method: 'DELETE',
      pattern: '/api/users/:id/passkeys/:passkeyId',
      handle: (req) => {
        const found = user(req.params.id);
        if (found === undefined || req.params.id === undefined) return missing();
        const passkeys = (found.full.passkeys ?? []) as { passkey_id: string }[];
        const kept = passkeys.filter((passkey) => passkey.passkey_id !== req.params.passkeyId);
        if (kept.length === passkeys.length) return state.problem(404, 'Passkey not found');
        state.update(req.params.id, { passkeys: kept });
        return NO_CONTENT;
      },
    },
    {
      name: 'disconnectExternalAuthenticator',
      method: 'POST',
      pattern: '/api/users/:id/external_authenticator/disconnect',
      handle: (req) => {
        const found = user(req.params.id);
        if (found === undefined || req.params.id === undefined) return missing();
        const body = (req.body ?? {}) as { authenticator?: unknown; provider_user_id?: unknown };
        if (typeof body.authenticator !== 'string' || typeof body.provider_user_id !== 'string') {
          return state.problem(422, 'authenticator and provider_user_id are required');
        }
        const links = (found.full.external_providers ?? []) as {
          authenticator: string;
          provider_user_id: string;
        }[];
        const kept = links.filter(
          (link) =>
            !(link.authenticator === body.authenticator && link.provider_user_id === body.provider_user_id),
        );
        if (kept.length === links.length) return state.problem(404, 'External authenticator not found');
        state.update(req.params.id, { external_providers: kept });
        return { status: 200, body: state.byId.get(req.params.id)?.full };
      },
    },
    {
      name: 'deleteUser',
      method: 'DELETE',
      pattern: '/api/users/:id',
      handle: (req) => {
        if (user(req.params.id) === undefined || req.params.id === undefined) return missing();
        state.access.endAllSessions(req.params.id);
        state.remove(req.params.id);
        return NO_CONTENT;
      },
    },
  ];
}
