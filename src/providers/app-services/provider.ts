import { asError, fanOutFailingOnCredentials, isCredentialsError } from '../../directory/fan-out.js';
import { isEmptyFilter, matchesFilter, normalizeEmail } from '../../directory/filter.js';
import type { User } from '../../directory/model.js';
import {
  checkPageRequest,
  DEFAULT_SCAN_BUDGET,
  ScanBudgetExhaustedError,
} from '../../directory/page-errors.js';
import type { CallOptions, DirectoryProvider, KeyedResult, Page, PageRequest } from '../../directory/port.js';
import { UpstreamError } from '../../errors.js';
import type { DirectoryGuard } from '../../resilience/guard.js';
import { AppServicesClient } from './client.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { pastWindow, seekAfter, statusParam } from './filter.js';
import { mapUser } from './mapper.js';
import type { AppServicesCredentials } from './token-manager.js';
import { LIST_PAGE_SIZE } from './wire.js';

export interface AppServicesProviderOptions {
  /** The configured directory name. */
  readonly name: string;
  /** Upstream list requests one filtered page may spend on local filtering (default 10). */
  readonly scanBudget?: number;
  /** The origin, e.g. `https://services.cloud.mongodb.com`. */
  readonly baseUrl: string;
  readonly groupId: string;
  readonly appId: string;
  /** Atlas programmatic API key pair (login flow, renewed automatically)… */
  readonly publicApiKey?: string;
  readonly privateApiKey?: string;
  /** …or a ready access token, used as is and never renewed. */
  readonly accessToken?: string;
  /** Get-one requests in flight at once (the API has no batch read). */
  readonly concurrency?: number;
  readonly timeoutMs?: number;
  readonly tokenLifetimeMs?: number;
  readonly now?: () => number;
  /** Most list pages (of 50) one email lookup may read; default 40, i.e. 2000 users. */
  readonly emailScanBudget?: number;
  /** The directory's breaker, limiter and retries (built from config by createProvider). */
  readonly guard?: DirectoryGuard;
}

export function createAppServicesProvider(options: AppServicesProviderOptions): DirectoryProvider {
  const concurrency = options.concurrency ?? 8;
  const client = new AppServicesClient({
    baseUrl: options.baseUrl,
    groupId: options.groupId,
    appId: options.appId,
    credentials: credentialsOf(options),
    timeoutMs: options.timeoutMs ?? 10_000,
    connections: concurrency + 1,
    tokenLifetimeMs: options.tokenLifetimeMs,
    now: options.now,
    guard: options.guard,
  });
  const directory = options.name;
  const emailScanBudget = options.emailScanBudget ?? 40;

  async function getUsers(
    localIds: readonly string[],
    callOptions: CallOptions = {},
  ): Promise<readonly KeyedResult<User>[]> {
    if (localIds.length === 0) return [];
    // One session for the whole batch first: a bad key pair costs one login, not one per id.
    try {
      await client.tokens.ready(callOptions);
    } catch (error) {
      const failure = asError(error);
      return localIds.map(() => failure);
    }
    return fanOutFailingOnCredentials(
      localIds,
      concurrency,
      async (id) => {
        const wire = await client.getUser(id, callOptions);
        return wire === null ? null : mapUser(wire, directory);
      },
      failsWholeBatch,
    );
  }

  /**
   * `_id` order, 50 per upstream page. A filter is applied locally (see filter.ts for what narrows
   * the scan), within `scanBudget` upstream pages; the cursor is the last `_id` looked at.
   */
  async function listUsers(page: PageRequest, callOptions: CallOptions = {}): Promise<Page> {
    checkPageRequest(page);
    const from = page.cursor ? decodeCursor(page.cursor) : null;
    const direction = page.direction ?? from?.direction ?? 'ASC';
    const filter = isEmptyFilter(page.filter) ? undefined : page.filter;
    const status = statusParam(filter);
    if (status === null) return pageOf([], null, direction);
    const budget =
      filter === undefined
        ? Number.POSITIVE_INFINITY
        : (page.scanBudget ?? options.scanBudget ?? DEFAULT_SCAN_BUDGET);
    let after = seekAfter(filter, direction, from?.after);
    const users: User[] = [];
    for (let round = 0; ; round += 1) {
      if (round >= budget) return { ...pageOf(users, after, direction), budgetExhausted: true };
      const batch = await client.listUsers({ after, desc: direction === 'DESC', status }, callOptions);
      for (const [index, wire] of batch.entries()) {
        if (pastWindow(wire._id, filter, direction)) return pageOf(users, null, direction);
        const user = mapUser(wire, directory);
        if (filter === undefined || matchesFilter(user, filter)) users.push(user);
        if (users.length === page.limit) {
          // A short page is the end of the list; a full one may be followed by more (the API gives no total).
          const end = index + 1 === batch.length && batch.length < LIST_PAGE_SIZE;
          return pageOf(users, end ? null : wire._id, direction);
        }
      }
      if (batch.length < LIST_PAGE_SIZE) return pageOf(users, null, direction);
      after = batch.at(-1)?._id ?? after;
    }
  }

  /**
   * Accounts per email. There is no email query, so one scan of the whole list (50 per request)
   * answers every email of the batch at once: ceil((users + 1) / 50) requests whatever the number of
   * emails, at most `emailScanBudget`. A scan cut short fails every key rather than answer "none".
   */
  async function findUsersByEmail(
    emails: readonly string[],
    callOptions: CallOptions = {},
  ): Promise<readonly KeyedResult<readonly User[]>[]> {
    const wanted = new Set(emails.map(normalizeEmail).filter((email) => email !== ''));
    if (wanted.size === 0) return emails.map(() => []);
    const found = new Map<string, User[]>([...wanted].map((email) => [email, []]));
    let after: string | undefined;
    for (let pages = 0; ; pages += 1) {
      if (pages >= emailScanBudget) {
        const failure = new ScanBudgetExhaustedError(directory, pages);
        return emails.map((email) => (normalizeEmail(email) === '' ? [] : failure));
      }
      let batch: Awaited<ReturnType<typeof client.listUsers>>;
      try {
        batch = await client.listUsers({ after, desc: false }, callOptions);
      } catch (error) {
        const failure = asError(error);
        return emails.map(() => failure);
      }
      for (const wire of batch) {
        const user = mapUser(wire, directory);
        for (const address of new Set(user.emails.map((email) => normalizeEmail(email.address)))) {
          found.get(address)?.push(user);
        }
      }
      if (batch.length < LIST_PAGE_SIZE) break;
      after = batch.at(-1)?._id;
    }
    return emails.map((email) => found.get(normalizeEmail(email)) ?? []);
  }

  return {
    name: directory,
    provider: 'app-services',
    getUsers,
    listUsers,
    findUsersByEmail,
    close: () => client.close(),
  };
}

function pageOf(users: User[], last: string | null | undefined, direction: 'ASC' | 'DESC'): Page {
  return {
    users,
    nextCursor: last ? encodeCursor({ after: last, direction }) : null,
    totalCount: null,
  };
}

/** Errors that say nothing about one id but about the directory: the same for every key. */
function failsWholeBatch(error: unknown): boolean {
  return isCredentialsError(error) || (error instanceof UpstreamError && error.kind === 'not_found');
}

function credentialsOf(options: AppServicesProviderOptions): AppServicesCredentials {
  const hasKeys = options.publicApiKey !== undefined || options.privateApiKey !== undefined;
  if (options.accessToken !== undefined && hasKeys) {
    throw new Error(`directory ${options.name}: give an API key pair or an access token, not both`);
  }
  if (options.accessToken !== undefined) return { accessToken: options.accessToken };
  if (!options.publicApiKey || !options.privateApiKey) {
    throw new Error(
      `directory ${options.name}: publicApiKey and privateApiKey (or accessToken) are required`,
    );
  }
  return { publicApiKey: options.publicApiKey, privateApiKey: options.privateApiKey };
}
