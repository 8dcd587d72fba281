import DataLoader from 'dataloader';
import type { Group, Membership, RoleAssignment, Session } from './directory/access-model.js';
import type { Identity, Passkey, User } from './directory/model.js';
import type { CallOptions, DirectoryProvider, KeyedResult } from './directory/port.js';
import { DirectoryFailure } from './errors.js';
import { endBatchSpan, startBatchSpan } from './observability/batch-span.js';
import type { ReadRecord } from './observability/read-record.js';

type Batch<T> = (localIds: readonly string[], options: CallOptions) => Promise<readonly KeyedResult<T>[]>;

/**
 * One set of DataLoaders per GraphQL request (never shared: the cache is per request), one loader per
 * directory and kind of fact. Every user id in a request, whichever field asked for it, meets the
 * others of its directory in one batch.
 */
export class Loaders {
  private readonly loaders = new Map<string, DataLoader<string, unknown>>();

  constructor(
    private readonly options: CallOptions = {},
    private readonly read?: ReadRecord,
  ) {}

  user(directory: DirectoryProvider): DataLoader<string, User | null> {
    return this.loader('user', directory, (ids, options) => directory.getUsers(ids, options));
  }

  /** Only for directories that keep passkeys behind their own endpoint. */
  passkeys(directory: DirectoryProvider & Required<Pick<DirectoryProvider, 'getPasskeys'>>) {
    return this.loader<readonly Passkey[]>('passkeys', directory, (ids, options) =>
      directory.getPasskeys(ids, options),
    );
  }

  /** Only for directories that keep linked identities behind their own endpoint. */
  identities(directory: DirectoryProvider & Required<Pick<DirectoryProvider, 'getIdentities'>>) {
    return this.loader<readonly Identity[]>('identities', directory, (ids, options) =>
      directory.getIdentities(ids, options),
    );
  }

  /** Accounts holding each (normalized) email, for directories that can look emails up. */
  emails(directory: DirectoryProvider & Required<Pick<DirectoryProvider, 'findUsersByEmail'>>) {
    return this.loader<readonly User[]>('emails', directory, (emails, options) =>
      directory.findUsersByEmail(emails, options),
    );
  }

  /** A user's group memberships, for directories that have groups. */
  userGroups(directory: DirectoryProvider & Required<Pick<DirectoryProvider, 'getUserGroups'>>) {
    return this.loader<readonly Membership[]>('userGroups', directory, (ids, options) =>
      directory.getUserGroups(ids, options),
    );
  }

  /** Groups by local id. */
  groups(directory: DirectoryProvider & Required<Pick<DirectoryProvider, 'getGroups'>>) {
    return this.loader<Group>('groups', directory, (ids, options) => directory.getGroups(ids, options));
  }

  /** A user's role assignments. */
  userRoles(directory: DirectoryProvider & Required<Pick<DirectoryProvider, 'getUserRoles'>>) {
    return this.loader<readonly RoleAssignment[]>('userRoles', directory, (ids, options) =>
      directory.getUserRoles(ids, options),
    );
  }

  /** A user's active sessions. */
  userSessions(directory: DirectoryProvider & Required<Pick<DirectoryProvider, 'getUserSessions'>>) {
    return this.loader<readonly Session[]>('userSessions', directory, (ids, options) =>
      directory.getUserSessions(ids, options),
    );
  }

  private loader<T>(
    kind: string,
    directory: DirectoryProvider,
    batch: Batch<T>,
  ): DataLoader<string, T | null> {
    const key = `${kind}\u0000${directory.name}`;
    let loader = this.loaders.get(key) as DataLoader<string, T | null> | undefined;
    if (!loader) {
      // DataLoader's own schedule (after the promise jobs of the current turn): ids requested at
      // different depths of one query still share a batch (test/e2e/batching.test.ts), and the batch
      // leaves without waiting for the other requests' I/O of the turn, as a setImmediate did
      // (S1 ×1.08, S2 ×1.05 req/s: BENCHMARKS.md, issue 17).
      loader = new DataLoader<string, T | null>(async (ids) => {
        this.read?.directory(directory.name);
        const trace = this.options.trace;
        const traced =
          trace === undefined ? null : startBatchSpan(trace, kind, directory, ids.length, this.options);
        const results = await batch(ids, traced?.options ?? this.options).catch((error: unknown) =>
          ids.map(() => (error instanceof Error ? error : new Error(String(error)))),
        );
        if (traced !== null) endBatchSpan(traced.span, results);
        return results.map((result) =>
          result instanceof Error ? new DirectoryFailure(directory.name, result) : result,
        );
      });
      this.loaders.set(key, loader as DataLoader<string, unknown>);
    }
    return loader;
  }
}
