import { fanOut } from '../../directory/batch.js';
import { directionOf, resumeFrom } from '../../directory/cursor.js';
import {
  asError,
  isCredentialsError,
  ScanBudgetExhaustedError,
  UpstreamError,
} from '../../directory/failures.js';
import { filterFingerprint, isEmptyFilter, normalizeEmail } from '../../directory/filter.js';
import type { User } from '../../directory/model.js';
import { checkPageRequest, DEFAULT_SCAN_BUDGET } from '../../directory/page-request.js';
import type { CallOptions, DirectoryProvider, KeyedResult, Page, PageRequest } from '../../directory/port.js';
import { pageOf, scanPages } from '../../directory/scan.js';
import type { HttpClient } from '../../http/client.js';
import { APP_SERVICES_CHANGE_KINDS, appServicesChanges, MAX_CHANGE_PAGES } from './changes.js';
import { AppServicesClient } from './client.js';
import { pastWindow, seekAfter, statusParam } from './filter.js';
import { appServicesLifecycle } from './lifecycle.js';
import { mapUser } from './mapper.js';
import type { AppServicesCredentials } from './token-manager.js';
import { LIST_PAGE_SIZE, type WireUser } from './wire.js';

export interface AppServicesProviderOptions {
  /** The configured directory name. */
  readonly name: string;
  /** Upstream list requests one filtered page may spend on local filtering (default 10). */
  readonly scanBudget?: number;
  /** The HttpClient for the origin, e.g. `https://services.cloud.mongodb.com` (built by src/directories.ts). */
  readonly http: HttpClient;
  readonly groupId: string;
  readonly appId: string;
  /** Atlas programmatic API key pair (login flow, renewed automatically)… */
  readonly publicApiKey?: string;
  readonly privateApiKey?: string;
  /** …or a ready access token, used as is and never renewed. */
  readonly accessToken?: string;
  /** Get-one requests in flight at once (the API has no batch read). */
  readonly concurrency?: number;
  readonly tokenLifetimeMs?: number;
  readonly now?: () => number;
  /** Most list pages (of 50) one email lookup may read; default 40, i.e. 2000 users. */
  readonly emailScanBudget?: number;
}

export function createAppServicesProvider(options: AppServicesProviderOptions): DirectoryProvider {
  const concurrency = options.concurrency ?? 8;
  const client = new AppServicesClient({
    http: options.http,
    groupId: options.groupId,
    appId: options.appId,
    credentials: credentialsOf(options),
    tokenLifetimeMs: options.tokenLifetimeMs,
    now: options.now,
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
    return fanOut(
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
   * the scan), within `scanBudget` upstream pages; the position is the last `_id` looked at.
   */
  async function listUsers(page: PageRequest, callOptions: CallOptions = {}): Promise<Page> {
    checkPageRequest(page);
    const direction = directionOf(page);
    const filter = isEmptyFilter(page.filter) ? undefined : page.filter;
    const fingerprint = filterFingerprint(filter);
    const from = resumeFrom(page.cursor, 'app-services', direction, fingerprint);
    const status = statusParam(filter);
    if (status === null) return { users: [], nextCursor: null, totalCount: null };
    const budget =
      filter === undefined
        ? Number.POSITIVE_INFINITY
        : (page.scanBudget ?? options.scanBudget ?? DEFAULT_SCAN_BUDGET);
    const scan = await scanPages<WireUser, string | undefined>(
      {
        async fetch(after) {
          const batch = await client.listUsers({ after, desc: direction === 'DESC', status }, callOptions);
          // A short page is the end of the list (the API gives no total).
          return { items: batch, next: batch.length < LIST_PAGE_SIZE ? null : (batch.at(-1)?._id ?? after) };
        },
        after: (_after, batch, index) => batch.items[index]?._id,
        map: (wire) => mapUser(wire, directory),
        pastWindow: (wire) => pastWindow(wire._id, filter, direction),
      },
      seekAfter(filter, direction, from === undefined ? undefined : String(from)),
      { limit: page.limit, budget, filter },
    );
    return pageOf(scan, { provider: 'app-services', direction, filter: fingerprint }, null);
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
    listChanges: appServicesChanges(client, directory),
    capabilities: async () => ({
      // App Services has no groups or roles for app users, and no session list (§3).
      groups: false,
      roles: false,
      sessions: false,
      changeKinds: APP_SERVICES_CHANGE_KINDS,
      changeRetentionDays: null,
      changesComplete: false,
      notes: [
        'Only new users are in the change feed (users list in _id order); updates, deletions and sign-ins are not.',
        'App Services user management is past its end of life.',
      ],
    }),
    close: () => client.close(),
    lifecycle: appServicesLifecycle(client),
    // GET …/users and GET …/users/{id} return the same user object (providers/README.md §3).
    listedUsersComplete: true,
    calls: {
      getUsers: (ids) => ids,
      listUsers: (limit, filtered) =>
        filtered ? (options.scanBudget ?? DEFAULT_SCAN_BUDGET) : Math.ceil(limit / LIST_PAGE_SIZE) + 1,
      // One scan of the list answers every email; the request's GET memo answers a second scan's pages.
      findUsersByEmail: (emails) => (emails === 0 ? 0 : emailScanBudget),
      passkeysPerUser: 0,
      identitiesPerUser: 0,
      changes: () => MAX_CHANGE_PAGES,
      capabilities: 0,
    },
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
