import { resumeFrom } from '../../src/directory/cursor.js';
import { filterFingerprint, matchesFilter } from '../../src/directory/filter.js';
import { compareUsers } from '../../src/directory/merge.js';
import type { AppServicesUser, User, UserStatus } from '../../src/directory/model.js';
import type { DirectoryProvider, ListPosition, Page, PageRequest } from '../../src/directory/port.js';

export interface FakeUserSeed {
  readonly localId: string;
  /** Seconds; null for a user without a creation time. */
  readonly createdAt: number | null;
  readonly status: UserStatus;
  readonly machine: boolean;
}

export function fakeUser(directory: string, seed: FakeUserSeed): User {
  const user: AppServicesUser = {
    provider: 'app-services',
    directory,
    localId: seed.localId,
    kind: seed.machine ? 'MACHINE' : 'HUMAN',
    status: seed.status,
    displayName: `user ${seed.localId}`,
    givenName: null,
    familyName: null,
    username: null,
    emails: [{ address: `${seed.localId}@example.com`, verified: true, primary: true }],
    phoneNumbers: [],
    hasPassword: null,
    passwordChangedAt: null,
    passwordChangeRequired: null,
    createdAt: seed.createdAt === null ? null : seed.createdAt * 1000,
    updatedAt: null,
    lastSignInAt: null,
    identities: [],
    type: seed.machine ? 'server' : 'normal',
    data: {},
    lastAuthenticationAt: null,
  };
  return user;
}

export interface FakeDirectoryOptions {
  /** Users per upstream page. */
  readonly pageSize: number;
  /** Whether the fake reports a total, like MonoCloud and ZITADEL (App Services does not). */
  readonly reportsTotal: boolean;
  /** Upstream pages one call may scan when `scanBudget` is not given; a list cycles by call number. */
  readonly defaultScanBudget?: number | readonly number[];
  /** Throws on calls for which this returns true (0-based call number). */
  readonly failOn?: (call: number) => boolean;
}

/**
 * An in-memory directory with the port's paging semantics: offset cursors over its own (createdAt,
 * localId) order, upstream pages of `pageSize`, local filtering within a page budget that, when spent,
 * returns a short page with `budgetExhausted` and a cursor after the last scanned user.
 */
export function fakeDirectory(
  name: string,
  users: readonly User[],
  options: FakeDirectoryOptions,
): DirectoryProvider & { readonly requests: PageRequest[] } {
  const ascending = [...users].sort(compareUsers);
  const requests: PageRequest[] = [];
  return {
    name,
    provider: 'app-services',
    requests,
    getUsers: async (ids) => ids.map((id) => users.find((user) => user.localId === id) ?? null),
    listUsers: async (request): Promise<Page> => {
      const call = requests.push(request) - 1;
      if (options.failOn?.(call)) throw new Error(`${name} is down`);
      if (!Number.isInteger(request.limit) || request.limit < 1) throw new RangeError('bad limit');
      const direction = request.direction ?? 'ASC';
      const ordered = direction === 'ASC' ? ascending : [...ascending].reverse();
      const fingerprint = filterFingerprint(request.filter);
      const offset = Number(resumeFrom(request.cursor, 'app-services', direction, fingerprint) ?? 0);
      const at = (place: number): ListPosition => ({
        provider: 'app-services',
        direction,
        filter: fingerprint,
        at: place,
      });
      const filter = request.filter ?? {};
      const matching = ordered.filter((user) => matchesFilter(user, filter));
      const budgets = options.defaultScanBudget ?? 3;
      const budget =
        request.scanBudget ?? (typeof budgets === 'number' ? budgets : (budgets[call % budgets.length] ?? 3));
      const found: User[] = [];
      let scanned = 0;
      let pages = 0;
      while (found.length < request.limit && offset + scanned < ordered.length) {
        if (pages === budget) {
          return page(found, at(offset + scanned), matching.length, true);
        }
        pages += 1;
        const upstream = ordered.slice(offset + scanned, offset + scanned + options.pageSize);
        for (const user of upstream) {
          scanned += 1;
          if (matchesFilter(user, filter)) found.push(user);
          if (found.length === request.limit) break;
        }
      }
      const next = offset + scanned < ordered.length ? at(offset + scanned) : null;
      return page(found, next, matching.length, false);
    },
  };

  function page(found: User[], next: ListPosition | null, total: number, budgetExhausted: boolean): Page {
    return {
      users: found,
      nextCursor: next,
      totalCount: options.reportsTotal ? total : null,
      budgetExhausted,
    };
  }
}
