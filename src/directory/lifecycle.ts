import type { CallOptions } from './call-options.js';
import type { User, UserStatus } from './model.js';

// Acting on accounts (suspend, resume, sign out, remove a passkey or a linked identity, delete), as
// desired state: a directory reads what an action decides on (AccountFacts), plans the exact write
// calls that would bring the account to the wanted state (none when it is there already), and sends
// them one by one. Whether an action reached its end is decided by reading the account again, never by
// an error's text (shared/providers/lifecycle-actions.md §4).

/**
 * Accounts one action request acts on at most: a person has a handful; more means an address shared
 * by many (a team mailbox), which is not one person. It also bounds the request's upstream calls.
 */
export const MAX_ACCOUNTS_PER_ACTION = 10;

/**
 * Sessions one account's sign-out deletes per request at most, in a directory that deletes them one by
 * one (the budget's bound: past it the account is FAILED with OPERATION_TOO_EXPENSIVE and the same
 * request again goes on).
 */
export const SESSIONS_PER_ACCOUNT = 10;

export type LifecycleAction =
  | 'suspend'
  | 'resume'
  | 'signOut'
  | 'removePasskey'
  | 'removeIdentity'
  | 'delete';

/** How a suspension was made, so a resume undoes exactly that and nothing else. */
export interface Suspension {
  /** The write that suspended the account: MonoCloud and App Services disable, ZITADEL deactivates or (an INITIAL user) locks. */
  readonly by: 'disabled' | 'deactivated' | 'locked';
  /** The account's state before (a ZITADEL user locked by its lockout policy is locked again on resume). */
  readonly previous: UserStatus | null;
}

/** What the actions decide on, read past any cache. */
export interface AccountFacts {
  readonly status: UserStatus | null;
  /** Passkey ids. */
  readonly passkeys: readonly string[];
  /** Linked identities by provider and the provider's user id. */
  readonly identities: readonly { readonly provider: string; readonly providerUserId: string }[];
  /** Session ids still active; null where the directory cannot list them (App Services). */
  readonly sessions: readonly string[] | null;
}

/** One write call, exactly as it will be sent: what the plan lists and the simulators log. */
export interface PlannedCall {
  readonly method: 'POST' | 'PUT' | 'DELETE';
  /** The documented route with its parameters filled in, e.g. `/v2/users/69629012906488334/deactivate`. */
  readonly path: string;
  /** The documented route, e.g. `POST /v2/users/{userId}/deactivate` (errors, metrics, traces). */
  readonly operation: string;
  readonly body?: unknown;
}

/** What the caller asked for, beyond the account. */
export interface ActionInput {
  readonly revokeSessions?: boolean;
  readonly passkeyId?: string;
  readonly identity?: { readonly provider: string; readonly providerUserId: string };
  /** For `resume`: how usergraph suspended the account (its action log). */
  readonly suspension?: Suspension;
}

/**
 * A directory's write side. `plan` is pure: from the facts and the input, the calls that bring the
 * account to the wanted state (empty: already there); `send` sends one of them with the directory's
 * credentials, never retried (a write that timed out may have been applied: the caller reads again).
 */
export interface AccountLifecycle {
  /** Actions this directory can take at all; the others are UNSUPPORTED_BY_PROVIDER, with the reason. */
  readonly unsupported: Readonly<Partial<Record<LifecycleAction, string>>>;
  /** Upper bound of upstream calls one account's action makes (reads before and after included). */
  readonly maxCalls: Readonly<Record<LifecycleAction, number>>;
  /**
   * The account read by id where the directory's batch read may lag a write (ZITADEL's list is
   * eventually consistent; GetUserByID is not); absent: the port's getUsers.
   */
  readUser?(localId: string, options?: CallOptions): Promise<User | null>;
  /** Whether deciding `action` needs the account's sessions read (and the directory can list them). */
  readsSessions(action: LifecycleAction, input: ActionInput): boolean;
  plan(
    action: LifecycleAction,
    localId: string,
    facts: AccountFacts,
    input: ActionInput,
  ): readonly PlannedCall[];
  send(call: PlannedCall, options?: CallOptions): Promise<void>;
  /** How a suspend planned from these facts suspends the account (for the action log). */
  suspension(facts: AccountFacts): Suspension;
}

/** Whether `facts` show the account signed-in-proof as a suspension leaves it. */
export function isSuspended(facts: AccountFacts, byUsergraph: Suspension | null): boolean {
  if (facts.status === 'DISABLED' || facts.status === 'INACTIVE') return true;
  // LOCKED is also what ZITADEL's lockout policy writes: only usergraph's own lock is its suspension.
  return facts.status === 'LOCKED' && byUsergraph?.by === 'locked';
}

/** Whether the account is where `action` wants it. */
export function reached(
  action: LifecycleAction,
  facts: AccountFacts | null,
  input: ActionInput,
  byUsergraph: Suspension | null,
): boolean {
  if (action === 'delete') return facts === null;
  if (facts === null) return false;
  switch (action) {
    case 'suspend':
      return (
        isSuspended(facts, byUsergraph) &&
        (input.revokeSessions !== true || facts.sessions === null || facts.sessions.length === 0)
      );
    case 'resume':
      return !isSuspended(facts, byUsergraph);
    case 'signOut':
      return facts.sessions !== null && facts.sessions.length === 0;
    case 'removePasskey':
      return namedPasskey(facts, input) === null;
    case 'removeIdentity':
      return namedIdentity(facts, input) === null;
  }
}

/** The passkey the input names, when the account has it (else there is nothing to remove). */
export function namedPasskey(facts: AccountFacts, input: ActionInput): string | null {
  const id = input.passkeyId;
  return id !== undefined && facts.passkeys.includes(id) ? id : null;
}

/** The linked identity the input names, when the account has it (else there is nothing to remove). */
export function namedIdentity(
  facts: AccountFacts,
  input: ActionInput,
): NonNullable<ActionInput['identity']> | null {
  const link = input.identity;
  if (link === undefined) return null;
  const present = facts.identities.some(
    (identity) => identity.provider === link.provider && identity.providerUserId === link.providerUserId,
  );
  return present ? link : null;
}
