import DataLoader from 'dataloader';
import { DirectoryFailure } from '../codes/failure-codes.js';
import type { Group, Membership, RoleAssignment, Session } from '../directory/access-model.js';
import type { Identity, Passkey, User } from '../directory/model.js';
import type { CallOptions, DirectoryProvider, KeyedResult } from '../directory/port.js';
import type { ReadRecord } from '../observability/read-record.js';
import { endBatchSpan, startBatchSpan } from '../tracing/batch-span.js';
import { traceOf } from '../tracing/call-trace.js';

type Batch<T, D extends DirectoryProvider = DirectoryProvider> = (
  directory: D,
  localIds: readonly string[],
  options: CallOptions,
) => Promise<readonly KeyedResult<T>[]>;

/**
 * One set of DataLoaders per GraphQL request (never shared: the cache is per request), one loader per
 * directory and kind of fact. Every user id in a request, whichever field asked for it, meets the
 * others of its directory in one batch.
 */
export class Loaders {
  /** By kind of fact, then directory name: no key built per lookup (a `nodes` of 600 ids asks 600 times). */
  private readonly loaders = new Map<string, Map<string, DataLoader<string, unknown>>>();

  private readonly getUsers: Batch<User | null>;

  constructor(
    private readonly options: CallOptions = {},
    private readonly read?: ReadRecord,
  ) {
    this.getUsers = async (directory, ids, callOptions) => {
      const results = await directory.getUsers(ids, callOptions);
      if (read !== undefined) for (const result of results) if (isUser(result)) read.user(result);
      return results;
    };
  }

  /** Users by local id; every user it returns is recorded as read (audit), primed ones by their primer. */
  user(directory: DirectoryProvider): DataLoader<string, User | null> {
    return this.loader('user', directory, this.getUsers);
  }

  /** Only for directories that keep passkeys behind their own endpoint. */
  passkeys(directory: With<'getPasskeys'>) {
    return this.loader('passkeys', directory, GET_PASSKEYS);
  }

  /** Only for directories that keep linked identities behind their own endpoint. */
  identities(directory: With<'getIdentities'>) {
    return this.loader('identities', directory, GET_IDENTITIES);
  }

  /** Accounts holding each (normalized) email, for directories that can look emails up. */
  emails(directory: With<'findUsersByEmail'>) {
    return this.loader('emails', directory, FIND_USERS_BY_EMAIL);
  }

  /** A user's group memberships, for directories that have groups. */
  userGroups(directory: With<'getUserGroups'>) {
    return this.loader('userGroups', directory, GET_USER_GROUPS);
  }

  /** Groups by local id. */
  groups(directory: With<'getGroups'>) {
    return this.loader('groups', directory, GET_GROUPS);
  }

  /** A user's role assignments. */
  userRoles(directory: With<'getUserRoles'>) {
    return this.loader('userRoles', directory, GET_USER_ROLES);
  }

  /** A user's active sessions. */
  userSessions(directory: With<'getUserSessions'>) {
    return this.loader('userSessions', directory, GET_USER_SESSIONS);
  }

  private loader<T, D extends DirectoryProvider>(
    kind: string,
    directory: D,
    batch: Batch<T, D>,
  ): DataLoader<string, T | null> {
    let ofKind = this.loaders.get(kind);
    if (ofKind === undefined) {
      ofKind = new Map();
      this.loaders.set(kind, ofKind);
    }
    let loader = ofKind.get(directory.name) as DataLoader<string, T | null> | undefined;
    if (!loader) {
      // DataLoader's own schedule (after the promise jobs of the current turn): ids requested at
      // different depths of one query still share a batch (test/e2e/batching.test.ts), and the batch
      // leaves without waiting for the other requests' I/O of the turn (BENCHMARKS.md, "Hand-tuned spots").
      loader = new DataLoader<string, T | null>(async (ids) => {
        this.read?.directory(directory.name);
        const trace = traceOf(this.options);
        const traced =
          trace === undefined ? null : startBatchSpan(trace, kind, directory, ids.length, this.options);
        const results = await batch(directory, ids, traced?.options ?? this.options).catch((error: unknown) =>
          ids.map(() => (error instanceof Error ? error : new Error(String(error)))),
        );
        if (traced !== null) endBatchSpan(traced.span, results);
        // One DirectoryFailure per distinct cause: a batch that failed as a whole shares one for all its
        // ids (each an Error with a stack, and hundreds of ids per batch).
        const failures = new Map<Error, DirectoryFailure>();
        return results.map((result) => {
          if (!(result instanceof Error)) return result;
          let failure = failures.get(result);
          if (failure === undefined) {
            failure = new DirectoryFailure(directory.name, result);
            failures.set(result, failure);
          }
          return failure;
        });
      });
      ofKind.set(directory.name, loader as DataLoader<string, unknown>);
    }
    return loader;
  }
}

function isUser(result: KeyedResult<User | null>): result is User {
  return result !== null && !(result instanceof Error);
}

type With<K extends keyof DirectoryProvider> = DirectoryProvider & Required<Pick<DirectoryProvider, K>>;

// Each kind's batch, written once rather than as a closure per lookup.
const GET_PASSKEYS: Batch<readonly Passkey[], With<'getPasskeys'>> = (d, ids, o) => d.getPasskeys(ids, o);
const GET_IDENTITIES: Batch<readonly Identity[], With<'getIdentities'>> = (d, ids, o) =>
  d.getIdentities(ids, o);
const FIND_USERS_BY_EMAIL: Batch<readonly User[], With<'findUsersByEmail'>> = (d, ids, o) =>
  d.findUsersByEmail(ids, o);
const GET_USER_GROUPS: Batch<readonly Membership[], With<'getUserGroups'>> = (d, ids, o) =>
  d.getUserGroups(ids, o);
const GET_GROUPS: Batch<Group, With<'getGroups'>> = (d, ids, o) => d.getGroups(ids, o);
const GET_USER_ROLES: Batch<readonly RoleAssignment[], With<'getUserRoles'>> = (d, ids, o) =>
  d.getUserRoles(ids, o);
const GET_USER_SESSIONS: Batch<readonly Session[], With<'getUserSessions'>> = (d, ids, o) =>
  d.getUserSessions(ids, o);
