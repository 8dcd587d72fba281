import { fanOut, fanOutChunks } from '../../directory/batch.js';
import { directionOf, resumeFrom } from '../../directory/cursor.js';
import { ScanBudgetExhaustedError, UpstreamError, type UpstreamErrorKind } from '../../directory/failures.js';
import { filterFingerprint, normalizeEmail } from '../../directory/filter.js';
import type { AccountLifecycle } from '../../directory/lifecycle.js';
import type { Identity, Passkey, User, ZitadelUser } from '../../directory/model.js';
import { checkPageRequest, DEFAULT_SCAN_BUDGET, pastCreationWindow } from '../../directory/page-request.js';
import type {
  CallOptions,
  CallRules,
  DirectoryProvider,
  KeyedResult,
  Page,
  PageRequest,
} from '../../directory/port.js';
import { pageOf, scanPages } from '../../directory/scan.js';
import type { HttpClient } from '../../http/client.js';
import { MAX_BATCH_PAGES, zitadelAccess } from './access.js';
import { zitadelChanges } from './changes.js';
import { ZitadelClient } from './client.js';
import { compileFilter } from './filter.js';
import { zitadelLifecycle } from './lifecycle.js';
import { toIdentity, toPasskeys, toZitadelUser } from './mapper.js';
import type { WireIdpLink, WireSearchQuery, WireUser } from './wire.js';

export interface ZitadelProviderOptions {
  /** The configured directory name. */
  readonly name: string;
  /** Upstream list requests one filtered page may spend on local filtering (default 10). */
  readonly scanBudget?: number;
  /** The instance's HttpClient (origin e.g. `https://corp.zitadel.cloud`), built by src/directories.ts. */
  readonly http: HttpClient;
  readonly token: string;
  /** Ids per ListUsers call; the proto sets no maximum, the HTTP body size does. */
  readonly chunkSize?: number;
  /** Upstream calls in flight at once (ListUsers chunks, or per-user link/passkey searches). */
  readonly concurrency?: number;
  /**
   * Ask GetUserByID about ids ListUsers did not return: ListUsers reads a projection that can lag
   * and silently drops users the caller may not read, while GetUserByID is strongly consistent.
   */
  readonly recheckMissing?: boolean;
  /** IdP links per ListIDPLinks page. */
  readonly linkPageSize?: number;
  /** Users per ListUsers page when a filter needs local work, and per email lookup page. */
  readonly scanPageSize?: number;
}

/** Upstream pages one `listUsers` call may read to fill a page that permission filtering thinned out. */
const MAX_LIST_ROUNDS = 5;
/** Pages one chunk of email lookups, or one user's IdP links, may read before giving up on them. */
const MAX_LOOKUP_PAGES = 3;

const BATCH_WIDE: readonly UpstreamErrorKind[] = ['unauthorized', 'forbidden'];
/** GetUserByID answers 403 for one user the caller may not read; only a bad token fails everyone. */
const BATCH_WIDE_FOR_GET: readonly UpstreamErrorKind[] = ['unauthorized'];

export class ZitadelProvider implements DirectoryProvider {
  readonly provider = 'zitadel' as const;
  readonly calls: CallRules;
  readonly name: string;
  /** Reads by id are `POST /v2/users` with an id query: a listing returns the very same user objects. */
  readonly listedUsersComplete = true;
  private readonly client: ZitadelClient;
  private readonly chunkSize: number;
  private readonly concurrency: number;
  private readonly recheckMissing: boolean;
  private readonly linkPageSize: number;
  private readonly scanPageSize: number;
  private readonly scanBudget: number;
  private readonly access: ReturnType<typeof zitadelAccess>;
  readonly listChanges: NonNullable<DirectoryProvider['listChanges']>;
  readonly lifecycle: AccountLifecycle;

  constructor(options: ZitadelProviderOptions) {
    this.name = options.name;
    this.chunkSize = positive(options.chunkSize ?? 100, 'chunkSize');
    this.concurrency = positive(options.concurrency ?? 8, 'concurrency');
    this.recheckMissing = options.recheckMissing ?? false;
    this.linkPageSize = positive(options.linkPageSize ?? 100, 'linkPageSize');
    this.scanPageSize = positive(options.scanPageSize ?? 100, 'scanPageSize');
    this.scanBudget = positive(options.scanBudget ?? DEFAULT_SCAN_BUDGET, 'scanBudget');
    this.client = new ZitadelClient({ http: options.http, token: options.token });
    this.access = zitadelAccess(this.client, this.name, this.chunkSize, this.concurrency);
    this.listChanges = zitadelChanges(this.client, this.name);
    this.lifecycle = zitadelLifecycle(this.client, this.name);
    const chunks = (n: number) => Math.ceil(n / this.chunkSize);
    this.calls = {
      // One ListUsers per chunk of ids (and a GetUserByID per id when rechecking misses).
      getUsers: (ids) => chunks(ids) + (this.recheckMissing ? ids : 0),
      listUsers: (_limit, filtered) =>
        filtered ? Math.max(this.scanBudget, MAX_LIST_ROUNDS) : MAX_LIST_ROUNDS,
      findUsersByEmail: (emails) => chunks(emails) * MAX_LOOKUP_PAGES,
      passkeysPerUser: 1,
      identitiesPerUser: MAX_LOOKUP_PAGES,
      // Batched by ids: per chunk, up to MAX_BATCH_PAGES pages of 1000 (roles may fall back to
      // the v2beta search, one per user, on servers without AuthorizationService v2).
      userGroups: (users) => chunks(users) * MAX_BATCH_PAGES,
      groups: (groups) => chunks(groups) * MAX_BATCH_PAGES,
      groupPage: () => 1,
      // Tight once AuthorizationService v2 is known to be there; until then the v2beta fallback's bound.
      userRoles: (users) =>
        this.access.rolesMayFanOut()
          ? chunks(users) * MAX_BATCH_PAGES + users * MAX_BATCH_PAGES
          : chunks(users) * MAX_BATCH_PAGES,
      userSessions: (users) => users,
      changes: () => 1,
      capabilities: 1,
    };
  }

  /** One ListUsers call per chunk of distinct ids (`inUserIdsQuery`); ids it does not return are null. */
  async getUsers(localIds: readonly string[], options?: CallOptions): Promise<readonly KeyedResult<User>[]> {
    const results = await fanOutChunks<ZitadelUser>(
      localIds,
      this.chunkSize,
      this.concurrency,
      async (chunk) => {
        const page = await this.client.listUsers(
          { offset: 0, limit: chunk.length, asc: true, queries: [{ inUserIdsQuery: { userIds: chunk } }] },
          options,
        );
        return new Map(page.result.map((wire) => [wire.userId, toZitadelUser(wire, this.name)]));
      },
      null,
      kindIn(BATCH_WIDE),
    );
    if (!this.recheckMissing || results.some((result) => isKind(result, BATCH_WIDE))) return results;

    const missing = [...new Set(localIds.filter((_, index) => results[index] === null))];
    const rechecked = await fanOut(
      missing,
      this.concurrency,
      async (id) => {
        const wire = await this.client.getUser(id, options);
        return wire ? toZitadelUser(wire, this.name) : null;
      },
      kindIn(BATCH_WIDE_FOR_GET),
    );
    const badToken = rechecked.find((result) => isKind(result, BATCH_WIDE_FOR_GET));
    if (badToken) return localIds.map(() => badToken);
    const byId = new Map(missing.map((id, index) => [id, rechecked[index] ?? null]));
    return localIds.map((id, index) => {
      const result = results[index] ?? null;
      return result === null ? (byId.get(id) ?? null) : result;
    });
  }

  /**
   * Oldest (ASC) or newest (DESC) first by creation date, paged by offset. The filter is pushed down
   * as `queries` (see filter.ts) and also checked here; what needs local work scans at most
   * `scanBudget` upstream pages.
   */
  async listUsers(request: PageRequest, options?: CallOptions): Promise<Page> {
    checkPageRequest(request);
    const direction = directionOf(request);
    const filter = request.filter;
    const fingerprint = filterFingerprint(filter);
    const offset = Number(resumeFrom(request.cursor, 'zitadel', direction, fingerprint) ?? 0);
    const compiled = compileFilter(filter);
    if (compiled.empty) return { users: [], nextCursor: null, totalCount: 0 };
    const local = !compiled.exact;
    let total = 0;
    const scan = await scanPages<WireUser, number>(
      {
        fetch: async (from, wanted) => {
          const size = local ? Math.max(wanted, this.scanPageSize) : wanted;
          const page = await this.client.listUsers(
            {
              offset: from,
              limit: size,
              asc: direction === 'ASC',
              sortingColumn: 'USER_FIELD_NAME_CREATION_DATE',
              queries: compiled.queries.length > 0 ? compiled.queries : undefined,
            },
            options,
          );
          total = page.totalResult;
          // The window advances by the limit asked for, not by what came back: the server drops the
          // users the caller may not read after applying offset and limit.
          return { items: page.result.slice(0, size), next: from + size < total ? from + size : null };
        },
        // Stopped inside a page: resume right after the last user looked at. On a page the server
        // thinned out this may re-read a few.
        after: (from, page, index) =>
          index + 1 < page.items.length ? from + index + 1 : (page.next ?? from + index + 1),
        map: (wire) => toZitadelUser(wire, this.name),
        pastWindow: (_wire, user) => pastCreationWindow(user.createdAt, filter, direction),
      },
      offset,
      {
        limit: request.limit,
        budget: request.scanBudget ?? (local ? this.scanBudget : MAX_LIST_ROUNDS),
        filter,
      },
    );
    return pageOf(
      scan,
      { provider: 'zitadel', direction, filter: fingerprint },
      compiled.exact ? total : null,
    );
  }

  /**
   * Accounts per email, any verification state: one ListUsers per chunk of distinct emails. The
   * query is an orQuery of `emailQuery` EQUALS_IGNORE_CASE rather than `inUserEmailsQuery`, because
   * the latter is an SQL IN over the stored address, which keeps the case it was registered with.
   */
  async findUsersByEmail(
    emails: readonly string[],
    options?: CallOptions,
  ): Promise<readonly KeyedResult<readonly User[]>[]> {
    const normalized = emails.map(normalizeEmail);
    const wanted = normalized.filter((email) => email !== '');
    const found = await fanOutChunks<User[]>(
      wanted,
      this.chunkSize,
      this.concurrency,
      async (chunk) => {
        const byEmail = new Map<string, User[]>(chunk.map((email) => [email, []]));
        const queries: WireSearchQuery[] = [
          {
            orQuery: {
              queries: chunk.map((email) => ({
                emailQuery: { emailAddress: email, method: 'TEXT_QUERY_METHOD_EQUALS_IGNORE_CASE' },
              })),
            },
          },
        ];
        const size = Math.max(chunk.length, this.scanPageSize);
        for (let offset = 0, pages = 0; ; offset += size, pages += 1) {
          if (pages === MAX_LOOKUP_PAGES) throw new ScanBudgetExhaustedError(this.name, pages);
          const page = await this.client.listUsers(
            { offset, limit: size, asc: true, sortingColumn: 'USER_FIELD_NAME_CREATION_DATE', queries },
            options,
          );
          for (const wire of page.result.slice(0, size)) {
            const user = toZitadelUser(wire, this.name);
            for (const address of new Set(user.emails.map((email) => normalizeEmail(email.address)))) {
              byEmail.get(address)?.push(user);
            }
          }
          if (offset + size >= page.totalResult) return byEmail;
        }
      },
      [],
      kindIn(BATCH_WIDE),
    );
    const byEmail = new Map(wanted.map((email, index) => [email, found[index] ?? []]));
    const failure = found.find((result) => isKind(result, BATCH_WIDE));
    return normalized.map((email) => failure ?? byEmail.get(email) ?? []);
  }

  /** IdP links per user (ListIDPLinks, paged). The real server answers an unknown user with no links, not 404. */
  getIdentities(
    localIds: readonly string[],
    options?: CallOptions,
  ): Promise<readonly KeyedResult<readonly Identity[]>[]> {
    return fanOut(
      localIds,
      this.concurrency,
      async (id) => {
        const links: WireIdpLink[] = [];
        let offset = 0;
        for (let pages = 0; ; pages += 1) {
          if (pages === MAX_LOOKUP_PAGES) throw new ScanBudgetExhaustedError(this.name, pages);
          const page = await this.client.listIdpLinks(
            id,
            { offset, limit: this.linkPageSize, asc: true },
            options,
          );
          if (page === null) return null;
          links.push(...page.result.slice(0, this.linkPageSize));
          offset += this.linkPageSize;
          if (offset >= page.totalResult) return links.map(toIdentity);
        }
      },
      kindIn(BATCH_WIDE),
    );
  }

  /** Ready passkeys per user (ListPasskeys, which has no paging). */
  getPasskeys(
    localIds: readonly string[],
    options?: CallOptions,
  ): Promise<readonly KeyedResult<readonly Passkey[]>[]> {
    return fanOut(
      localIds,
      this.concurrency,
      async (id) => {
        const page = await this.client.listPasskeys(id, options);
        return page === null ? null : toPasskeys(page.result);
      },
      kindIn(BATCH_WIDE),
    );
  }

  capabilities(options?: CallOptions) {
    return this.access.capabilities(options);
  }

  getUserGroups(localIds: readonly string[], options?: CallOptions) {
    return this.access.getUserGroups(localIds, options);
  }

  getGroups(groupIds: readonly string[], options?: CallOptions) {
    return this.access.getGroups(groupIds, options);
  }

  listGroups(offset: number, limit: number, options?: CallOptions) {
    return this.access.listGroups(offset, limit, options);
  }

  listGroupMembers(groupId: string, offset: number, limit: number, options?: CallOptions) {
    return this.access.listGroupMembers(groupId, offset, limit, options);
  }

  getUserRoles(localIds: readonly string[], options?: CallOptions) {
    return this.access.getUserRoles(localIds, options);
  }

  getUserSessions(localIds: readonly string[], options?: CallOptions) {
    return this.access.getUserSessions(localIds, options);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

export function createZitadelProvider(options: ZitadelProviderOptions): ZitadelProvider {
  return new ZitadelProvider(options);
}

function isKind(value: unknown, kinds: readonly UpstreamErrorKind[]): value is UpstreamError {
  return value instanceof UpstreamError && kinds.includes(value.kind);
}

/** The batch-failure rule for these kinds of error. */
function kindIn(kinds: readonly UpstreamErrorKind[]): (error: unknown) => boolean {
  return (error) => isKind(error, kinds);
}

function positive(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`zitadel: ${what} must be a positive integer, got ${value}`);
  }
  return value;
}
