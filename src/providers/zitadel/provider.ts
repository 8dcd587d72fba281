import pLimit from 'p-limit';
import { asError, fanOut } from '../../directory/fan-out.js';
import { matchesFilter, normalizeEmail } from '../../directory/filter.js';
import type { Identity, Passkey, User, ZitadelUser } from '../../directory/model.js';
import {
  checkPageRequest,
  DEFAULT_SCAN_BUDGET,
  filterFingerprint,
  InvalidPageRequest,
  pastCreationWindow,
} from '../../directory/page-errors.js';
import type {
  CallOptions,
  DirectoryProvider,
  KeyedResult,
  Page,
  PageRequest,
  SortDirection,
} from '../../directory/port.js';
import { UpstreamError, type UpstreamErrorKind } from '../../errors.js';
import type { DirectoryGuard } from '../../resilience/guard.js';
import { ZitadelClient } from './client.js';
import { compileFilter } from './filter.js';
import { toIdentity, toPasskeys, toZitadelUser } from './mapper.js';
import type { WireIdpLink, WireSearchQuery } from './wire.js';

export interface ZitadelProviderOptions {
  /** The configured directory name. */
  readonly name: string;
  /** Upstream list requests one filtered page may spend on local filtering (default 10). */
  readonly scanBudget?: number;
  readonly baseUrl: string;
  readonly token: string;
  /** Ids per ListUsers call; the proto sets no maximum, the HTTP body size does. */
  readonly chunkSize?: number;
  readonly timeoutMs?: number;
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
  /** The directory's breaker, limiter and retries (built from config by createProvider). */
  readonly guard?: DirectoryGuard;
}

/** Upstream pages one `listUsers` call may read to fill a page that permission filtering thinned out. */
const MAX_LIST_ROUNDS = 5;

const BATCH_WIDE: readonly UpstreamErrorKind[] = ['unauthorized', 'forbidden'];
/** GetUserByID answers 403 for one user the caller may not read; only a bad token fails everyone. */
const BATCH_WIDE_FOR_GET: readonly UpstreamErrorKind[] = ['unauthorized'];

export class ZitadelProvider implements DirectoryProvider {
  readonly provider = 'zitadel' as const;
  readonly name: string;
  private readonly client: ZitadelClient;
  private readonly chunkSize: number;
  private readonly concurrency: number;
  private readonly recheckMissing: boolean;
  private readonly linkPageSize: number;
  private readonly scanPageSize: number;
  private readonly scanBudget: number;

  constructor(options: ZitadelProviderOptions) {
    this.name = options.name;
    this.chunkSize = positive(options.chunkSize ?? 100, 'chunkSize');
    this.concurrency = positive(options.concurrency ?? 8, 'concurrency');
    this.recheckMissing = options.recheckMissing ?? false;
    this.linkPageSize = positive(options.linkPageSize ?? 100, 'linkPageSize');
    this.scanPageSize = positive(options.scanPageSize ?? 100, 'scanPageSize');
    this.scanBudget = positive(options.scanBudget ?? DEFAULT_SCAN_BUDGET, 'scanBudget');
    this.client = new ZitadelClient({
      baseUrl: options.baseUrl,
      token: options.token,
      timeoutMs: options.timeoutMs ?? 10_000,
      connections: this.concurrency,
      guard: options.guard,
    });
  }

  /** One ListUsers call per chunk of distinct ids (`inUserIdsQuery`); ids it does not return are null. */
  async getUsers(localIds: readonly string[], options?: CallOptions): Promise<readonly KeyedResult<User>[]> {
    const ids = [...new Set(localIds)];
    const results = new Map<string, KeyedResult<ZitadelUser>>();
    const state: { failure: Error | null } = { failure: null };
    const limit = pLimit(this.concurrency);
    await Promise.all(
      chunks(ids, this.chunkSize).map((chunk) =>
        limit(async () => {
          if (state.failure) return;
          try {
            const page = await this.client.listUsers(
              {
                offset: 0,
                limit: chunk.length,
                asc: true,
                queries: [{ inUserIdsQuery: { userIds: chunk } }],
              },
              options,
            );
            const byId = new Map(page.result.map((user) => [user.userId, user]));
            for (const id of chunk) {
              const wire = byId.get(id);
              results.set(id, wire ? toZitadelUser(wire, this.name) : null);
            }
          } catch (error) {
            const failure = asError(error);
            if (isKind(failure, BATCH_WIDE)) state.failure ??= failure;
            for (const id of chunk) results.set(id, failure);
          }
        }),
      ),
    );
    if (state.failure) return localIds.map(() => state.failure as Error);

    if (this.recheckMissing) {
      const missing = ids.filter((id) => results.get(id) === null);
      const rechecked = await this.perUser(missing, BATCH_WIDE_FOR_GET, async (id) => {
        const wire = await this.client.getUser(id, options);
        return wire ? toZitadelUser(wire, this.name) : null;
      });
      const badToken = rechecked.find((result) => isKind(result, BATCH_WIDE_FOR_GET));
      if (badToken) return localIds.map(() => badToken);
      missing.forEach((id, index) => {
        results.set(id, rechecked[index] ?? null);
      });
    }
    return localIds.map((id) => results.get(id) ?? null);
  }

  /**
   * Oldest (ASC) or newest (DESC) first by creation date, paged by offset. The filter is pushed down
   * as `queries` (see filter.ts) and also checked here; what needs local work scans at most
   * `scanBudget` upstream pages.
   */
  async listUsers(request: PageRequest, options?: CallOptions): Promise<Page> {
    checkPageRequest(request);
    const direction = request.direction ?? 'ASC';
    const filter = request.filter;
    const fingerprint = filterFingerprint(filter);
    let offset = request.cursor ? decodeCursor(request.cursor, direction, fingerprint) : 0;
    const compiled = compileFilter(filter);
    if (compiled.empty) return { users: [], nextCursor: null, totalCount: 0 };
    const local = !compiled.exact;
    const budget = request.scanBudget ?? (local ? this.scanBudget : MAX_LIST_ROUNDS);
    const users: User[] = [];
    let total = 0;
    let rounds = 0;
    while (rounds < budget) {
      const want = request.limit - users.length;
      const size = local ? Math.max(want, this.scanPageSize) : want;
      const page = await this.client.listUsers(
        {
          offset,
          limit: size,
          asc: direction === 'ASC',
          sortingColumn: 'USER_FIELD_NAME_CREATION_DATE',
          queries: compiled.queries.length > 0 ? compiled.queries : undefined,
        },
        options,
      );
      rounds += 1;
      total = page.totalResult;
      const result = page.result.slice(0, size);
      let scanned = size;
      for (const [index, wire] of result.entries()) {
        const user = toZitadelUser(wire, this.name);
        if (pastCreationWindow(user.createdAt, filter, direction)) {
          return { users, nextCursor: null, totalCount: compiled.exact ? total : null };
        }
        if (filter === undefined || matchesFilter(user, filter)) users.push(user);
        if (users.length === request.limit) {
          // Stopped inside the page: the cursor resumes right after the last user looked at. The server
          // drops unreadable users after offset/limit, so on such a thinned page this may re-read a few.
          if (index + 1 < result.length) scanned = index + 1;
          break;
        }
      }
      // Otherwise the window advances by the limit asked for, not by what came back (see above).
      offset += scanned;
      if (users.length >= request.limit || offset >= total) break;
    }
    const more = offset < total;
    return {
      users,
      nextCursor: more ? encodeCursor(offset, direction, fingerprint) : null,
      totalCount: compiled.exact ? total : null,
      ...(more && users.length < request.limit ? { budgetExhausted: true } : {}),
    };
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
    const wanted = [...new Set(emails.map(normalizeEmail))].filter((email) => email !== '');
    const results = new Map<string, KeyedResult<User[]>>();
    const state: { failure: Error | null } = { failure: null };
    const limit = pLimit(this.concurrency);
    await Promise.all(
      chunks(wanted, this.chunkSize).map((chunk) =>
        limit(async () => {
          if (state.failure) return;
          const found = new Map<string, User[]>(chunk.map((email) => [email, []]));
          try {
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
            for (let offset = 0; ; offset += size) {
              const page = await this.client.listUsers(
                { offset, limit: size, asc: true, sortingColumn: 'USER_FIELD_NAME_CREATION_DATE', queries },
                options,
              );
              for (const wire of page.result.slice(0, size)) {
                const user = toZitadelUser(wire, this.name);
                for (const address of new Set(user.emails.map((email) => normalizeEmail(email.address)))) {
                  found.get(address)?.push(user);
                }
              }
              if (offset + size >= page.totalResult) break;
            }
            for (const [email, users] of found) results.set(email, users);
          } catch (error) {
            const failure = asError(error);
            if (isKind(failure, BATCH_WIDE)) state.failure ??= failure;
            for (const email of chunk) results.set(email, failure);
          }
        }),
      ),
    );
    if (state.failure) return emails.map(() => state.failure as Error);
    return emails.map((email) => results.get(normalizeEmail(email)) ?? []);
  }

  /** IdP links per user (ListIDPLinks, paged). The real server answers an unknown user with no links, not 404. */
  getIdentities(
    localIds: readonly string[],
    options?: CallOptions,
  ): Promise<readonly KeyedResult<readonly Identity[]>[]> {
    return this.perUser(localIds, BATCH_WIDE, async (id) => {
      const links: WireIdpLink[] = [];
      let offset = 0;
      for (;;) {
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
    });
  }

  /** Ready passkeys per user (ListPasskeys, which has no paging). */
  getPasskeys(
    localIds: readonly string[],
    options?: CallOptions,
  ): Promise<readonly KeyedResult<readonly Passkey[]>[]> {
    return this.perUser(localIds, BATCH_WIDE, async (id) => {
      const page = await this.client.listPasskeys(id, options);
      return page === null ? null : toPasskeys(page.result);
    });
  }

  close(): Promise<void> {
    return this.client.close();
  }

  /**
   * Bounded fan-out of a per-user call. Once an error of a batch-wide kind (bad token) comes back,
   * calls not yet started are skipped and every key gets that error.
   */
  private async perUser<T>(
    ids: readonly string[],
    batchWide: readonly UpstreamErrorKind[],
    load: (id: string) => Promise<T | null>,
  ): Promise<KeyedResult<T>[]> {
    const state: { failure: Error | null } = { failure: null };
    const results = await fanOut(ids, this.concurrency, async (id) => {
      if (state.failure) throw state.failure;
      try {
        return await load(id);
      } catch (error) {
        if (isKind(error, batchWide)) state.failure ??= error as Error;
        throw error;
      }
    });
    return state.failure ? ids.map(() => state.failure as Error) : results;
  }
}

export function createZitadelProvider(options: ZitadelProviderOptions): ZitadelProvider {
  return new ZitadelProvider(options);
}

function isKind(value: unknown, kinds: readonly UpstreamErrorKind[]): value is UpstreamError {
  return value instanceof UpstreamError && kinds.includes(value.kind);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

function positive(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`zitadel: ${what} must be a positive integer, got ${value}`);
  }
  return value;
}

function encodeCursor(offset: number, direction: SortDirection, fingerprint: string): string {
  const suffix = fingerprint === '' ? '' : `:${fingerprint}`;
  return Buffer.from(`zitadel:v1:${direction}:${offset}${suffix}`).toString('base64url');
}

/** A cursor only continues the listing it came from: same provider, direction and filter. */
function decodeCursor(cursor: string, direction: SortDirection, fingerprint: string): number {
  const match = /^zitadel:v1:(ASC|DESC):(\d{1,15})(?::([0-9a-z]{1,8}))?$/.exec(
    Buffer.from(cursor, 'base64url').toString('utf8'),
  );
  if (!match || match[1] !== direction || (match[3] ?? '') !== fingerprint) {
    throw new InvalidPageRequest('zitadel: invalid cursor for this listing');
  }
  return Number(match[2]);
}
