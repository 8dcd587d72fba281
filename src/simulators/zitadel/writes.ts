import type { Route, SimRequest, SimResponse } from '../server.js';
import type { ZitadelAccess } from './access.js';
import { protoTime, type ZitadelRecord } from './data.js';

// ZITADEL's write calls (lifecycle-actions.md §2 and zitadel/lifecycle-errors.derived.json), with the
// server's order of checks: an empty id is INVALID_ARGUMENT, a missing user NOT_FOUND, a state the
// transition does not start from FAILED_PRECONDITION (HTTP 400, with the server's error ids and
// texts), and only then the caller's permission. Every repeat of a state change is an error; only
// DeleteSession is idempotent (200 for an unknown or ended session).

export interface ZitadelWriteState {
  readonly byId: Map<string, ZitadelRecord>;
  readonly records: ZitadelRecord[];
  readonly restricted: ReadonlySet<string>;
  readonly access: ZitadelAccess;
  readonly error: (status: number, text: string, errorId: string | null) => SimResponse;
}

type Transition = 'deactivate' | 'reactivate' | 'lock' | 'unlock';

/** From which states each transition starts, its end state, and what the server says otherwise. */
const TRANSITIONS: Readonly<
  Record<
    Transition,
    {
      from: readonly string[];
      to: string;
      refusals: Readonly<Record<string, [string, string]>>;
      otherwise: [string, string];
    }
  >
> = {
  deactivate: {
    from: ['USER_STATE_ACTIVE', 'USER_STATE_LOCKED'],
    to: 'USER_STATE_INACTIVE',
    refusals: {
      USER_STATE_INITIAL: [
        'User with state initial can only be deleted not deactivated',
        'COMMAND-gvx4kct9r2',
      ],
      USER_STATE_INACTIVE: ['User already inactive', 'COMMAND-5gunjw0cd7'],
    },
    otherwise: ['User already inactive', 'COMMAND-5gunjw0cd7'],
  },
  reactivate: {
    from: ['USER_STATE_INACTIVE'],
    to: 'USER_STATE_ACTIVE',
    refusals: {},
    otherwise: ['User is not inactive', 'COMMAND-s5qqcz97hf'],
  },
  lock: {
    from: ['USER_STATE_ACTIVE', 'USER_STATE_INITIAL'],
    to: 'USER_STATE_LOCKED',
    refusals: {},
    otherwise: ['User is not active or initial', 'COMMAND-lgws8wtsqf'],
  },
  unlock: {
    from: ['USER_STATE_LOCKED'],
    to: 'USER_STATE_ACTIVE',
    refusals: {},
    otherwise: ['User is not locked', 'COMMAND-olb9vb0oca'],
  },
};

const DETAILS = (record: ZitadelRecord) => ({
  details: {
    sequence: String(Number(record.user.details.sequence ?? 0)),
    changeDate: protoTime(Date.now()),
    resourceOwner: record.user.details.resourceOwner,
  },
});

export function zitadelWriteRoutes(state: ZitadelWriteState): Route[] {
  const replace = (record: ZitadelRecord, next: ZitadelRecord) => {
    state.byId.set(record.user.userId, next);
    const index = state.records.indexOf(record);
    if (index >= 0) state.records[index] = next;
  };
  const bump = (record: ZitadelRecord, changes: Partial<ZitadelRecord>): ZitadelRecord => {
    const next: ZitadelRecord = {
      ...record,
      ...changes,
      user: {
        ...record.user,
        ...(changes.user ?? {}),
        details: {
          ...record.user.details,
          sequence: String(Number(record.user.details.sequence ?? 0) + 1),
          changeDate: protoTime(Date.now()),
        },
      },
    };
    replace(record, next);
    return next;
  };
  /** The user a write names, in the server's order of checks; a response when it must stop there. */
  const target = (req: SimRequest): ZitadelRecord | SimResponse => {
    const id = req.params.id ?? '';
    if (id === '') return state.error(400, 'invalid UserID', 'COMMAND-4M0fs');
    const record = state.byId.get(id);
    if (record === undefined) return state.error(404, 'User could not be found', 'COMMAND-bd4ir1mblj');
    return record;
  };
  const denied = (record: ZitadelRecord) =>
    state.restricted.has(record.user.userId)
      ? state.error(403, 'No matching permissions found', 'AUTHZ-HKJD33')
      : null;
  const transition = (verb: Transition): Route => ({
    name: `${verb}User`,
    method: 'POST',
    pattern: `/v2/users/:id/${verb}`,
    handle(req) {
      const found = target(req);
      if (!('user' in found)) return found;
      const rule = TRANSITIONS[verb];
      const current = found.user.state ?? 'USER_STATE_UNSPECIFIED';
      if (!rule.from.includes(current)) {
        const [text, errorId] = rule.refusals[current] ?? rule.otherwise;
        return state.error(400, text, errorId);
      }
      const refused = denied(found);
      if (refused !== null) return refused;
      const next = bump(found, { user: { ...found.user, state: rule.to } });
      return { status: 200, headers: { 'content-type': 'application/json' }, body: DETAILS(next) };
    },
  });
  const ok = (record: ZitadelRecord): SimResponse => ({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: DETAILS(record),
  });
  return [
    transition('deactivate'),
    transition('reactivate'),
    transition('lock'),
    transition('unlock'),
    {
      name: 'removePasskey',
      method: 'DELETE',
      pattern: '/v2/users/:id/passkeys/:passkeyId',
      handle(req) {
        const found = target(req);
        if (!('user' in found)) return found;
        if ((req.params.passkeyId ?? '') === '') return state.error(400, 'Errors.IDMissing', 'COMMAND-6M9de');
        const kept = found.passkeys.filter((passkey) => passkey.id !== req.params.passkeyId);
        if (kept.length === found.passkeys.length) {
          return state.error(404, 'WebAuthN Token could not be found', 'COMMAND-DAfb2');
        }
        return denied(found) ?? ok(bump(found, { passkeys: kept }));
      },
    },
    {
      name: 'removeIdpLink',
      method: 'DELETE',
      pattern: '/v2/users/:id/links/:idpId/:linkedUserId',
      handle(req) {
        const found = target(req);
        if (!('user' in found)) return found;
        const kept = found.idpLinks.filter(
          (link) => !(link.idpId === req.params.idpId && link.userId === req.params.linkedUserId),
        );
        if (kept.length === found.idpLinks.length)
          return state.error(404, 'External IDP not found', 'COMMAND-1M9xR');
        return denied(found) ?? ok(bump(found, { idpLinks: kept }));
      },
    },
    {
      name: 'deleteUser',
      method: 'DELETE',
      pattern: '/v2/users/:id',
      handle(req) {
        const found = target(req);
        if (!('user' in found)) return found;
        const refused = denied(found);
        if (refused !== null) return refused;
        state.byId.delete(found.user.userId);
        state.records.splice(state.records.indexOf(found), 1);
        for (const id of state.access.sessionIds(found.user.userId)) state.access.terminateSession(id);
        return ok(found);
      },
    },
    {
      name: 'deleteSession',
      method: 'DELETE',
      pattern: '/v2/sessions/:sessionId',
      handle(req) {
        // Idempotent: an unknown or ended session is answered 200 and changes nothing.
        state.access.terminateSession(req.params.sessionId ?? '');
        return {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: { details: { changeDate: protoTime(Date.now()), resourceOwner: '' } },
        };
      },
    },
  ];
}
