import pLimit from 'p-limit';
import { fanOut } from '../../directory/fan-out.js';
import type { MonoCloudUser } from '../../directory/model.js';
import type { CallOptions, DirectoryProvider, KeyedResult, Page, PageRequest } from '../../directory/port.js';
import { UpstreamError } from '../../errors.js';
import { MonoCloudClient, type UserListPage } from './client.js';
import { decodeCursor, encodeCursor, InvalidCursorError, planPages } from './cursor.js';
import { mapUser } from './mapper.js';

export interface MonoCloudProviderOptions {
  /** The configured directory name. */
  readonly name: string;
  /** The tenant origin, e.g. `https://acme.us.monocloud.com`. */
  readonly baseUrl: string;
  readonly apiKey: string;
  /** Get-one calls in flight at once per batch (and keep-alive sockets). */
  readonly concurrency?: number;
  readonly timeoutMs?: number;
  /** Clock for lockout expiry; tests pin it. */
  readonly now?: () => Date;
}

export interface MonoCloudProvider extends DirectoryProvider {
  readonly provider: 'monocloud';
  getUsers(
    localIds: readonly string[],
    options?: CallOptions,
  ): Promise<readonly KeyedResult<MonoCloudUser>[]>;
  close(): Promise<void>;
}

export function createMonoCloudProvider(options: MonoCloudProviderOptions): MonoCloudProvider {
  const concurrency = options.concurrency ?? 8;
  const now = options.now ?? (() => new Date());
  const client = new MonoCloudClient({
    baseUrl: options.baseUrl,
    apiKey: options.apiKey,
    timeoutMs: options.timeoutMs ?? 10_000,
    connections: concurrency,
  });

  async function getUsers(
    localIds: readonly string[],
    callOptions?: CallOptions,
  ): Promise<readonly KeyedResult<MonoCloudUser>[]> {
    // MonoCloud has no batch read: one GET per distinct id. Bad credentials fail every key alike, and
    // once seen, the ids not yet started are not sent.
    const batch: { credentialsError: UpstreamError | null } = { credentialsError: null };
    const results = await fanOut(localIds, concurrency, async (id) => {
      if (batch.credentialsError) throw batch.credentialsError;
      try {
        const wire = await client.getUser(id, callOptions);
        return wire === null ? null : mapUser(wire, options.name, now());
      } catch (error) {
        if (error instanceof UpstreamError && (error.kind === 'unauthorized' || error.kind === 'forbidden')) {
          batch.credentialsError ??= error;
        }
        throw error;
      }
    });
    const failed = batch.credentialsError;
    return failed ? results.map(() => failed) : results;
  }

  async function listUsers(request: PageRequest, callOptions?: CallOptions): Promise<Page> {
    const position = request.cursor
      ? decodeCursor(request.cursor)
      : { offset: 0, direction: request.direction ?? 'ASC' };
    if (request.direction !== undefined && request.direction !== position.direction) {
      throw new InvalidCursorError('the cursor was issued for the other sort direction');
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

  return {
    name: options.name,
    provider: 'monocloud',
    getUsers,
    listUsers,
    close: () => client.close(),
  };
}
