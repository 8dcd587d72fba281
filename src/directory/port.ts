import type { Group, Membership, OffsetPage, RoleAssignment, Session } from './access-model.js';
import type { CallOptions } from './call-options.js';
import type { Capabilities, ChangePage, ChangeRequest } from './change-model.js';
import type { UserFilter } from './filter.js';
import type { AccountLifecycle } from './lifecycle.js';
import type { Identity, Passkey, ProviderKind, User } from './model.js';

export type { CallBudget, CallOptions } from './call-options.js';

/** One result per key, in key order: the user, `null` when the directory has no such user, or the error for that key. */
export type KeyedResult<T> = T | null | Error;

export type SortDirection = 'ASC' | 'DESC';

/**
 * Where one provider's listing stands, and which listing it belongs to: providers take and return
 * positions, never text (src/directory/cursor.ts encodes them for clients).
 */
export interface ListPosition {
  readonly provider: ProviderKind;
  readonly direction: SortDirection;
  /** `filterFingerprint(filter)`: a position means nothing in a listing with another filter. */
  readonly filter: string;
  /** An offset (MonoCloud, ZITADEL) or the last `_id` read (App Services). */
  readonly at: number | string;
}

export interface PageRequest {
  /** How many users the caller wants (the provider fetches as many upstream pages as that takes). */
  readonly limit: number;
  /** Where a previous page of the same listing ended (its `nextCursor`); absent for the first page. */
  readonly cursor?: ListPosition | null;
  /** Creation order; every provider can list oldest-first or newest-first. */
  readonly direction?: SortDirection;
  /** Pushed down where the provider can; the rest is applied locally after fetching. */
  readonly filter?: UserFilter;
  /**
   * Most upstream list requests one call may spend when filtering locally. When it runs out before
   * `limit` matches are found the page comes back short with `budgetExhausted` and a cursor to go on.
   */
  readonly scanBudget?: number;
}

export interface Page {
  readonly users: readonly User[];
  /** Position after the last user returned, or null when the directory has no more. */
  readonly nextCursor: ListPosition | null;
  /** Total matching users when the provider reports one (MonoCloud, ZITADEL), else null. */
  readonly totalCount: number | null;
  /** True when local filtering stopped at `scanBudget` before filling the page. */
  readonly budgetExhausted?: boolean;
}

/**
 * The port every directory implements. Implementations batch the way their contract allows and
 * never throw for one missing user: a 404 is `null` for that key; errors affecting the whole batch
 * (401/403, network) come back as the same Error for every key.
 */
export interface DirectoryProvider {
  readonly name: string;
  readonly provider: ProviderKind;
  getUsers(localIds: readonly string[], options?: CallOptions): Promise<readonly KeyedResult<User>[]>;
  listUsers(page: PageRequest, options?: CallOptions): Promise<Page>;
  /** For providers that keep passkeys behind their own endpoint (ZITADEL). */
  getPasskeys?(
    localIds: readonly string[],
    options?: CallOptions,
  ): Promise<readonly KeyedResult<readonly Passkey[]>[]>;
  /** For providers that keep linked identities behind their own endpoint (ZITADEL). */
  getIdentities?(
    localIds: readonly string[],
    options?: CallOptions,
  ): Promise<readonly KeyedResult<readonly Identity[]>[]>;
  /** Accounts holding each email, in key order. */
  findUsersByEmail?(
    emails: readonly string[],
    options?: CallOptions,
  ): Promise<readonly KeyedResult<readonly User[]>[]>;
  /**
   * What the directory can serve beyond users. A method below that is absent is a fact the
   * provider cannot know, answered with UNSUPPORTED_BY_PROVIDER, never as empty.
   */
  capabilities?(options?: CallOptions): Promise<Capabilities>;
  /** Each user's group memberships (all of them, within the provider's page budget), in key order. */
  getUserGroups?(
    localIds: readonly string[],
    options?: CallOptions,
  ): Promise<readonly KeyedResult<readonly Membership[]>[]>;
  /** Groups by local id; null for a group the directory does not have. */
  getGroups?(groupIds: readonly string[], options?: CallOptions): Promise<readonly KeyedResult<Group>[]>;
  /** One page of the directory's groups, by name. */
  listGroups?(offset: number, limit: number, options?: CallOptions): Promise<OffsetPage<Group>>;
  /** One page of a group's memberships; null when the directory has no such group. */
  listGroupMembers?(
    groupId: string,
    offset: number,
    limit: number,
    options?: CallOptions,
  ): Promise<OffsetPage<Membership> | null>;
  /** Each user's role assignments, in key order. */
  getUserRoles?(
    localIds: readonly string[],
    options?: CallOptions,
  ): Promise<readonly KeyedResult<readonly RoleAssignment[]>[]>;
  /** Each user's active sessions, in key order. */
  getUserSessions?(
    localIds: readonly string[],
    options?: CallOptions,
  ): Promise<readonly KeyedResult<readonly Session[]>[]>;
  /** Changes after a position (or after `since`), oldest first. */
  listChanges?(request: ChangeRequest, options?: CallOptions): Promise<ChangePage>;
  /** Releases sockets and timers. */
  close?(): Promise<void>;
  /** Health from the directory's own recent calls; present on every directory built from config. */
  health?(): DirectoryHealth;
  /** How many upstream calls each kind of read can take (for the budget estimated before execution). */
  readonly calls?: CallRules;
  /** Drops what a cache holds of these users (the change feed reported a change); absent: nothing cached. */
  forget?(localIds: readonly string[]): void;
  /** The directory's writes (suspend, resume, sign out, remove a credential, delete); absent: read-only. */
  readonly lifecycle?: AccountLifecycle;
  /** A listing returns each user as completely as a read by id (so listed users may fill the user cache). */
  readonly listedUsersComplete?: boolean;
}

/**
 * Upper bounds of a provider's upstream calls, from its contract and its own page budgets. The cost
 * estimate (src/cost/estimate.ts) adds them up per operation; every call is also counted while the
 * operation runs, so a bound that turns out too low is refused as OPERATION_TOO_EXPENSIVE, never
 * exceeded.
 */
export interface CallRules {
  /** Calls to read `ids` distinct users by id in one request. */
  getUsers(ids: number): number;
  /** Calls for one `listUsers` of `limit` users, filtered or not. */
  listUsers(limit: number, filtered: boolean): number;
  /** Calls to look up `emails` distinct addresses in one request. */
  findUsersByEmail(emails: number): number;
  /** Calls per user whose passkeys are asked for (0: they come with the user). */
  readonly passkeysPerUser: number;
  /** Calls per user whose linked identities are asked for. */
  readonly identitiesPerUser: number;
  /** Calls to read the memberships of `users` distinct users in one request. */
  userGroups?(users: number): number;
  /** Calls to read `groups` distinct groups by id. */
  groups?(groups: number): number;
  /** Calls for one page of `limit` groups, or of one group's members. */
  groupPage?(limit: number): number;
  /** Calls to read the role assignments of `users` distinct users. */
  userRoles?(users: number): number;
  /** Calls to read the sessions of `users` distinct users. */
  userSessions?(users: number): number;
  /** Calls for one read of `limit` changes. */
  changes?(limit: number): number;
  /** Calls to answer `capabilities` (a feature probe). */
  readonly capabilities?: number;
}

/** A directory's outbound rate as `Directory.health` reports it (src/resilience/adaptive-rate.ts). */
export interface RateState {
  /** Requests per second now. */
  readonly current: number;
  readonly floor: number;
  readonly ceiling: number;
  /** False for a configured fixed rate. */
  readonly adaptive: boolean;
  /** What the directory accepted before its last 429, if one was seen. */
  readonly learntLimit: number | null;
  /** Upstream 429s in the last minute. */
  readonly recent429s: number;
}

export type HealthState = 'UP' | 'DEGRADED' | 'DOWN';
export type CircuitState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

/** One directory's health as usergraph sees it from its own calls (no extra probing traffic). */
export interface DirectoryHealth {
  /** DOWN: circuit open or credentials rejected; DEGRADED: half-open, recent failures or a recent error. */
  readonly state: HealthState;
  readonly circuit: CircuitState;
  /** The public code (src/errors.ts) of the latest error a caller got, and when. */
  readonly lastError: { readonly code: string; readonly at: string } | null;
  /** The outbound rate: fixed, or learnt from the directory's 429s. */
  readonly rate?: RateState;
  /** Over the last 100 upstream calls; null before the first. */
  readonly latency: {
    readonly p50Ms: number | null;
    readonly p95Ms: number | null;
    readonly samples: number;
  };
}
