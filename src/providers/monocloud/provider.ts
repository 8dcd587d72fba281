import pLimit from 'p-limit';
import { fanOutFailingOnCredentials } from '../../directory/fan-out.js';
import { matchesFilter, normalizeEmail, type UserFilter } from '../../directory/filter.js';
import type { MonoCloudUser } from '../../directory/model.js';
import {
  checkPageRequest,
  DEFAULT_SCAN_BUDGET,
  filterFingerprint,
  pastCreationWindow,
  ScanBudgetExhaustedError,
} from '../../directory/page-errors.js';
import type { CallOptions, DirectoryProvider, KeyedResult, Page, PageRequest } from '../../directory/port.js';
import type { DirectoryGuard } from '../../resilience/guard.js';
import { MonoCloudClient, type UserListPage } from './client.js';
import {
  decodeCursor,
  encodeCursor,
  InvalidCursorError,
  MAX_PAGE_SIZE,
  type Position,
  planPages,
} from './cursor.js';
import { mapUser } from './mapper.js';

export interface MonoCloudProviderOptions {
  /** The configured directory name. */
  readonly name: string;
  /** Upstream list requests one filtered page may spend on local filtering (default 10). */
  readonly scanBudget?: number;
  /** The tenant origin, e.g. `https://acme.us.monocloud.com`. */
  readonly baseUrl: string;
  readonly apiKey: string;
  /** Get-one calls in flight at once per batch (and keep-alive sockets). */
  readonly concurrency?: number;
  readonly timeoutMs?: number;
  /** Clock for lockout expiry; tests pin it. */
  readonly now?: () => Date;
  /** The directory's breaker, limiter and retries (built from config by createProvider). */
  readonly guard?: DirectoryGuard;
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

/** Pages of one email's free-text search read before the lookup gives up on that email. */
const EMAIL_PAGE_BUDGET = 10;

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
  const client = new MonoCloudClient({
    baseUrl: options.baseUrl,
    apiKey: options.apiKey,
    timeoutMs: options.timeoutMs ?? 10_000,
    connections: concurrency,
    guard: options.guard,
  });

  async function getUsers(
    localIds: readonly string[],
    callOptions?: CallOptions,
  ): Promise<readonly KeyedResult<MonoCloudUser>[]> {
    // MonoCloud has no batch read: one GET per distinct id. Bad credentials fail every key alike, and
    // once seen, the ids not yet started are not sent.
    return fanOutFailingOnCredentials(localIds, concurrency, async (id) => {
      const wire = await client.getUser(id, callOptions);
      return wire === null ? null : mapUser(wire, options.name, now());
    });
  }

  async function listUsers(request: PageRequest, callOptions?: CallOptions): Promise<Page> {
    checkPageRequest(request);
    const fingerprint = filterFingerprint(request.filter);
    const position: Position = request.cursor
      ? decodeCursor(request.cursor)
      : { offset: 0, direction: request.direction ?? 'ASC', filter: fingerprint };
    if (request.direction !== undefined && request.direction !== position.direction) {
      throw new InvalidCursorError('the cursor was issued for the other sort direction');
    }
    if ((position.filter ?? '') !== fingerprint) {
      throw new InvalidCursorError('the cursor was issued for another filter');
    }
    if (request.filter !== undefined && fingerprint !== '') {
      return scanFiltered(request, request.filter, position, callOptions);
    }
    const plan = planPages(position.offset, request.limit);
    const order = position.direction === 'DESC' ? -1 : 1;
    const limit = pLimit(concurrency);
    const pages: UserListPage[] = await Promise.all(
      Array.from({ length: plan.pageCount }, (_, index) =>
        limit(() =>
          client.listUsers(
            { page: plan.firstPage + index, size: plan.size, sort: { field: 'creation_time', order } },
            callOptions,
          ),
        ),
      ),
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
      nextCursor: more
        ? encodeCursor({ offset: position.offset + wanted.length, direction: position.direction })
        : null,
      totalCount: pages[0]?.pagination.total_count ?? null,
    };
  }

  /**
   * Filtered listing: `filter=` narrows upstream (free text, semantics UNCONFIRMED, so every user is
   * also checked with matchesFilter), pages of MAX_PAGE_SIZE are read one after another until the
   * page is full, the list ends or the scan budget is spent. The offset counts within the upstream
   * filtered list, so the cursor resumes right after the last user looked at.
   */
  async function scanFiltered(
    request: PageRequest,
    filter: UserFilter,
    position: Position,
    callOptions?: CallOptions,
  ): Promise<Page> {
    const fingerprint = filterFingerprint(filter);
    const search = pushedDownSearch(filter);
    const sort = { field: 'creation_time', order: position.direction === 'DESC' ? -1 : 1 } as const;
    const budget = request.scanBudget ?? options.scanBudget ?? DEFAULT_SCAN_BUDGET;
    const at = now();
    const users: MonoCloudUser[] = [];
    let offset = position.offset;
    let more = true;
    for (let round = 0; round < budget && more && users.length < request.limit; round += 1) {
      const size = MAX_PAGE_SIZE;
      const page = await client.listUsers(
        { page: Math.floor(offset / size) + 1, size, filter: search, sort },
        callOptions,
      );
      const items = page.items.slice(offset % size);
      let scanned = items.length;
      for (const [index, wire] of items.entries()) {
        const user = mapUser(wire, options.name, at);
        if (pastCreationWindow(user.createdAt, filter, position.direction)) {
          return { users, nextCursor: null, totalCount: null };
        }
        if (matchesFilter(user, filter)) users.push(user);
        if (users.length === request.limit) {
          scanned = index + 1;
          break;
        }
      }
      offset += scanned;
      more =
        scanned < items.length ||
        (items.length > 0 && page.pagination.has_next && offset < page.pagination.total_count);
    }
    return {
      users,
      nextCursor: more ? encodeCursor({ offset, direction: position.direction, filter: fingerprint }) : null,
      totalCount: null,
      ...(more && users.length < request.limit ? { budgetExhausted: true } : {}),
    };
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
    return fanOutFailingOnCredentials(emails.map(normalizeEmail), concurrency, async (email) => {
      if (email === '') return [];
      const found: MonoCloudUser[] = [];
      const at = now();
      for (let page = 1; ; page += 1) {
        if (page > EMAIL_PAGE_BUDGET) throw new ScanBudgetExhaustedError(options.name, EMAIL_PAGE_BUDGET);
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

  return {
    name: options.name,
    provider: 'monocloud',
    getUsers,
    listUsers,
    findUsersByEmail,
    close: () => client.close(),
  };
}
