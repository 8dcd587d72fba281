import { fanOut, mapConcurrently } from '../../directory/batch.js';
import { directionOf, resumeFrom } from '../../directory/cursor.js';
import { ScanBudgetExhaustedError } from '../../directory/failures.js';
import { filterFingerprint, normalizeEmail, type UserFilter } from '../../directory/filter.js';
import type { MonoCloudUser } from '../../directory/model.js';
import { checkPageRequest, DEFAULT_SCAN_BUDGET, pastCreationWindow } from '../../directory/page-request.js';
import type {
  CallOptions,
  DirectoryProvider,
  KeyedResult,
  ListPosition,
  Page,
  PageRequest,
  SortDirection,
} from '../../directory/port.js';
import { pageOf, scanPages } from '../../directory/scan.js';
import type { HttpClient } from '../../http/client.js';
import { MAX_ACCESS_PAGES, monoCloudAccess } from './access.js';
import { MONOCLOUD_CHANGE_KINDS } from './access-mapper.js';
import { MAX_CHANGE_PAGES, MAX_UPDATE_PAGES, monoCloudChanges } from './changes.js';
import { MonoCloudClient, type UserListPage } from './client.js';
import { monoCloudLifecycle } from './lifecycle.js';
import { mapUser } from './mapper.js';
import { MAX_PAGE_SIZE, planPages } from './paging.js';
import type { WireUserSummary } from './wire.js';

export interface MonoCloudProviderOptions {
  /** The configured directory name. */
  readonly name: string;
  /** Upstream list requests one filtered page may spend on local filtering (default 10). */
  readonly scanBudget?: number;
  /** The tenant's HttpClient (origin e.g. `https://acme.us.monocloud.com`), built by src/directories.ts. */
  readonly http: HttpClient;
  readonly apiKey: string;
  /** Get-one calls in flight at once per batch. */
  readonly concurrency?: number;
  /** Clock for lockout expiry; tests pin it. */
  readonly now?: () => Date;
  /** Pages (of 100) one email's free-text search may read before that email is SCAN_BUDGET_EXHAUSTED. */
  readonly emailScanBudget?: number;
}

export interface MonoCloudProvider extends DirectoryProvider {
  readonly provider: 'monocloud';
  getUsers(
    localIds: readonly string[],
    options?: CallOptions,
  ): Promise<readonly KeyedResult<MonoCloudUser>[]>;
  findUsersByEmail(
    emails: readonly string[],
    options?: CallOptions,
  ): Promise<readonly KeyedResult<readonly MonoCloudUser[]>[]>;
  close(): Promise<void>;
}

/** Pages of one email's free-text search read before the lookup gives up on that email (default). */
export const DEFAULT_EMAIL_PAGES = 3;

/**
 * What goes into `filter=`: the email when there is one (the narrower), else the text. A text with
 * whitespace is not sent: how the free-text search treats several words is UNCONFIRMED, and a
 * narrower-than-local search would lose matches the local check cannot bring back.
 */
export function pushedDownSearch(filter: UserFilter): string | undefined {
  if (filter.email !== undefined) return normalizeEmail(filter.email);
  if (filter.text !== undefined && filter.text !== '' && !/\s/.test(filter.text)) return filter.text;
  return undefined;
}

export function createMonoCloudProvider(options: MonoCloudProviderOptions): MonoCloudProvider {
  const concurrency = options.concurrency ?? 8;
  const now = options.now ?? (() => new Date());
  const emailPages = options.emailScanBudget ?? DEFAULT_EMAIL_PAGES;
  const scanBudget = options.scanBudget ?? DEFAULT_SCAN_BUDGET;
  const client = new MonoCloudClient({ http: options.http, apiKey: options.apiKey });
  const position = (direction: SortDirection, filter: string, at: number): ListPosition => ({
    provider: 'monocloud',
    direction,
    filter,
    at,
  });

  async function getUsers(
    localIds: readonly string[],
    callOptions?: CallOptions,
  ): Promise<readonly KeyedResult<MonoCloudUser>[]> {
    // MonoCloud has no batch read: one GET per distinct id. Bad credentials fail every key alike, and
    // once seen, the ids not yet started are not sent.
    return fanOut(localIds, concurrency, async (id) => {
      const wire = await client.getUser(id, callOptions);
      return wire === null ? null : mapUser(wire, options.name, now());
    });
  }

  async function listUsers(request: PageRequest, callOptions?: CallOptions): Promise<Page> {
    checkPageRequest(request);
    const direction = directionOf(request);
    const fingerprint = filterFingerprint(request.filter);
    const offset = Number(resumeFrom(request.cursor, 'monocloud', direction, fingerprint) ?? 0);
    if (request.filter !== undefined && fingerprint !== '') {
      return scanFiltered(request, request.filter, direction, offset, callOptions);
    }
    const plan = planPages(offset, request.limit);
    const order = direction === 'DESC' ? -1 : 1;
    const pages: UserListPage[] = await mapConcurrently(
      Array.from({ length: plan.pageCount }, (_, index) => plan.firstPage + index),
      concurrency,
      (page) =>
        client.listUsers({ page, size: plan.size, sort: { field: 'creation_time', order } }, callOptions),
    );
    const fetched = pages.flatMap((page) => page.items);
    const wanted = fetched.slice(plan.skip, plan.skip + request.limit);
    const lastPage = pages[pages.length - 1];
    const moreFetched = fetched.length > plan.skip + request.limit;
    // An empty slice never yields a cursor, so a caller cannot loop on an upstream that claims has_next.
    const more = wanted.length > 0 && (moreFetched || lastPage?.pagination.has_next === true);
    const at = now();
    return {
      users: wanted.map((wire) => mapUser(wire, options.name, at)),
      nextCursor: more ? position(direction, '', offset + wanted.length) : null,
      totalCount: pages[0]?.pagination.total_count ?? null,
    };
  }

  /**
   * Filtered listing: `filter=` narrows upstream (free text, semantics UNCONFIRMED, so every user is
   * also checked with matchesFilter), pages of MAX_PAGE_SIZE are read one after another (the shared
   * scan loop). The offset counts within the upstream filtered list, so the cursor resumes right
   * after the last user looked at.
   */
  async function scanFiltered(
    request: PageRequest,
    filter: UserFilter,
    direction: SortDirection,
    offset: number,
    callOptions?: CallOptions,
  ): Promise<Page> {
    const search = pushedDownSearch(filter);
    const sort = { field: 'creation_time', order: direction === 'DESC' ? -1 : 1 } as const;
    const at = now();
    const scan = await scanPages<WireUserSummary, number>(
      {
        async fetch(from) {
          const size = MAX_PAGE_SIZE;
          const page = await client.listUsers(
            { page: Math.floor(from / size) + 1, size, filter: search, sort },
            callOptions,
          );
          const items = page.items.slice(from % size);
          const next = from + items.length;
          const more = items.length > 0 && page.pagination.has_next && next < page.pagination.total_count;
          return { items, next: more ? next : null };
        },
        after: (from, _page, index) => from + index + 1,
        map: (wire) => mapUser(wire, options.name, at),
        pastWindow: (_wire, user) => pastCreationWindow(user.createdAt, filter, direction),
      },
      offset,
      {
        limit: request.limit,
        budget: request.scanBudget ?? scanBudget,
        filter,
      },
    );
    return pageOf(scan, { provider: 'monocloud', direction, filter: filterFingerprint(filter) }, null);
  }

  /**
   * Accounts per email: one `GET /api/users?filter=<email>` per distinct email (the API has no
   * exact-email or multi-email query), keeping only exact matches. Cost: one request per email, more
   * only when the free-text search matches over a page of users.
   */
  async function findUsersByEmail(
    emails: readonly string[],
    callOptions?: CallOptions,
  ): Promise<readonly KeyedResult<readonly MonoCloudUser[]>[]> {
    return fanOut(emails.map(normalizeEmail), concurrency, async (email) => {
      if (email === '') return [];
      const found: MonoCloudUser[] = [];
      const at = now();
      for (let page = 1; ; page += 1) {
        if (page > emailPages) throw new ScanBudgetExhaustedError(options.name, emailPages);
        const result = await client.listUsers(
          { page, size: MAX_PAGE_SIZE, filter: email, sort: { field: 'creation_time', order: 1 } },
          callOptions,
        );
        for (const wire of result.items) {
          if (wire.emails.some((entry) => normalizeEmail(entry.email) === email)) {
            found.push(mapUser(wire, options.name, at));
          }
        }
        if (!result.pagination.has_next || result.items.length === 0) return found;
      }
    });
  }

  const access = monoCloudAccess(client, options.name, concurrency);
  return {
    name: options.name,
    provider: 'monocloud',
    getUsers,
    listUsers,
    findUsersByEmail,
    ...access,
    listChanges: monoCloudChanges(client, options.name),
    capabilities: async () => ({
      groups: true,
      // MonoCloud has no role concept: groups are what access policies reference (§1.2).
      roles: false,
      sessions: true,
      changeKinds: MONOCLOUD_CHANGE_KINDS,
      changeRetentionDays: null,
      changesComplete: false,
      notes: [
        'Sessions need the Pro plan (402 is PLAN_REQUIRED); only active sessions are listed.',
        'Profile edits come from users sorted by last_updated (the log has no "user updated" code): two edits between polls are one USER_UPDATED.',
        'Log retention and the order of entries within one second are UNCONFIRMED.',
      ],
    }),
    close: () => client.close(),
    lifecycle: monoCloudLifecycle(client),
    // The list endpoint omits public_metadata (`publicData` is null there): a listed user is partial.
    listedUsersComplete: false,
    calls: {
      // No batch read: a GET per distinct id.
      getUsers: (ids) => ids,
      // Unfiltered: the fewest pages of one size covering the window (planPages); filtered: the scan budget.
      listUsers: (limit, filtered) => (filtered ? scanBudget : Math.ceil(limit / MAX_PAGE_SIZE) + 1),
      // A free-text search per distinct email, up to its page budget.
      findUsersByEmail: (emails) => emails * emailPages,
      passkeysPerUser: 0,
      identitiesPerUser: 0,
      // One call per user or group, paged up to MAX_ACCESS_PAGES (no batch endpoint).
      userGroups: (users) => users * MAX_ACCESS_PAGES,
      groups: (groups) => groups,
      groupPage: (limit) => Math.ceil(limit / MAX_PAGE_SIZE) + 1,
      userSessions: (users) => users * MAX_ACCESS_PAGES,
      // The log's pages, and the scan of users by last_updated.
      changes: () => MAX_CHANGE_PAGES + MAX_UPDATE_PAGES,
      capabilities: 0,
    },
  };
}
