import type { UserFilter } from '../../directory/filter.js';
import type { UserStatus } from '../../directory/model.js';
import type { WireSearchQuery, WireUserState } from './wire.js';

// Compiles a UserFilter to ListUsers `queries`. The provider still applies matchesFilter to every
// result, so a pushed-down query may be wider than the filter but never narrower.

const STATE: Readonly<Partial<Record<UserStatus, WireUserState>>> = {
  ACTIVE: 'USER_STATE_ACTIVE',
  INACTIVE: 'USER_STATE_INACTIVE',
  DELETED: 'USER_STATE_DELETED',
  LOCKED: 'USER_STATE_LOCKED',
  INITIAL: 'USER_STATE_INITIAL',
};

const CONTAINS = 'TEXT_QUERY_METHOD_CONTAINS_IGNORE_CASE';

export interface CompiledFilter {
  readonly queries: WireSearchQuery[];
  /** The server's answer is exactly the filter's matches (so its totalResult is their count). */
  readonly exact: boolean;
  /** No user of this directory can match (a status ZITADEL does not have): nothing to ask. */
  readonly empty: boolean;
}

export function compileFilter(filter: UserFilter | undefined): CompiledFilter {
  const queries: WireSearchQuery[] = [];
  let exact = true;
  if (filter === undefined) return { queries, exact, empty: false };
  if (filter.email !== undefined) {
    queries.push({
      emailQuery: {
        emailAddress: filter.email.trim().toLowerCase(),
        method: 'TEXT_QUERY_METHOD_EQUALS_IGNORE_CASE',
      },
    });
  }
  if (filter.text !== undefined) {
    const text = filter.text;
    const alternatives: WireSearchQuery[] = [
      { displayNameQuery: { displayName: text, method: CONTAINS } },
      { userNameQuery: { userName: text, method: CONTAINS } },
      { firstNameQuery: { firstName: text, method: CONTAINS } },
      { lastNameQuery: { lastName: text, method: CONTAINS } },
      { emailQuery: { emailAddress: text, method: CONTAINS } },
    ];
    // A machine's display name is its `machine.name`, which no v2 query reads: machines pass the
    // server and are checked here. A human without a display name shows "given family", which a
    // text with a space could match across; the server cannot see that either.
    if (filter.kind !== 'HUMAN') {
      alternatives.push({ typeQuery: { type: 'TYPE_MACHINE' } });
      exact = false;
    }
    if (/\s/.test(text)) exact = false;
    else queries.push({ orQuery: { queries: alternatives } });
  }
  if (filter.status !== undefined) {
    const states = [...new Set(filter.status.flatMap((status) => STATE[status] ?? []))];
    // DISABLED and BLOCKED are other directories' statuses: in ZITADEL they match no user.
    if (states.length === 0) return { queries, exact: true, empty: true };
    const [only] = states;
    queries.push(
      states.length === 1 && only !== undefined
        ? { stateQuery: { state: only } }
        : { orQuery: { queries: states.map((state) => ({ stateQuery: { state } })) } },
    );
  }
  if (filter.kind !== undefined) {
    queries.push({ typeQuery: { type: filter.kind === 'HUMAN' ? 'TYPE_HUMAN' : 'TYPE_MACHINE' } });
  }
  if (filter.createdAfter !== undefined || filter.createdBefore !== undefined) exact = false;
  return { queries, exact, empty: false };
}
