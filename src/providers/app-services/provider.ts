import { asError, fanOut } from '../../directory/fan-out.js';
import type { User } from '../../directory/model.js';
import type { CallOptions, DirectoryProvider, KeyedResult, Page, PageRequest } from '../../directory/port.js';
import { UpstreamError } from '../../errors.js';
import { AppServicesClient } from './client.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { mapUser } from './mapper.js';
import type { AppServicesCredentials } from './token-manager.js';
import { LIST_PAGE_SIZE } from './wire.js';

export interface AppServicesProviderOptions {
  /** The configured directory name. */
  readonly name: string;
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
  });
  const directory = options.name;

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
    let fatal: Error | null = null;
    const results = await fanOut(localIds, concurrency, async (id) => {
      if (fatal !== null) throw fatal;
      try {
        const wire = await client.getUser(id, callOptions);
        return wire === null ? null : mapUser(wire, directory);
      } catch (error) {
        if (fatal === null && failsWholeBatch(error)) fatal = asError(error);
        throw error;
      }
    });
    const batchFailure: Error | null = fatal;
    return batchFailure === null ? results : localIds.map(() => batchFailure);
  }

  async function listUsers(page: PageRequest, callOptions: CallOptions = {}): Promise<Page> {
    if (!Number.isInteger(page.limit) || page.limit < 1)
      throw new RangeError('limit must be a positive integer');
    const from = page.cursor ? decodeCursor(page.cursor) : null;
    const direction = page.direction ?? from?.direction ?? 'ASC';
    let after = from?.after;
    const users: User[] = [];
    for (;;) {
      const batch = await client.listUsers({ after, desc: direction === 'DESC' }, callOptions);
      const taken = batch.slice(0, page.limit - users.length);
      for (const wire of taken) users.push(mapUser(wire, directory));
      const last = taken.at(-1)?._id ?? after;
      // Stopped inside a page: the rest of it is still ahead, so the cursor is the last user returned.
      if (taken.length < batch.length) return pageOf(users, last, direction);
      // A short page is the end of the list; a full one may be followed by more (the API gives no total).
      if (batch.length < LIST_PAGE_SIZE) return pageOf(users, null, direction);
      if (users.length === page.limit) return pageOf(users, last, direction);
      after = last;
    }
  }

  return {
    name: directory,
    provider: 'app-services',
    getUsers,
    listUsers,
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
  return (
    error instanceof UpstreamError &&
    (error.kind === 'unauthorized' || error.kind === 'forbidden' || error.kind === 'not_found')
  );
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
