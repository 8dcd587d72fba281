import type { CallOptions } from '../../directory/port.js';
import { parseRetryAfter, UpstreamError } from '../../errors.js';
import { HttpClient, type HttpResponse } from '../../http/client.js';
import { decode, tryParseJson } from '../../http/decode.js';
import type { DirectoryGuard } from '../../resilience/guard.js';
import { errorFromResponse } from './problem.js';
import {
  type WirePagination,
  type WireUser,
  type WireUserSummary,
  wirePagination,
  wireUser,
  wireUserList,
} from './wire.js';

export interface MonoCloudClientOptions {
  /** The tenant origin, e.g. `https://acme.us.monocloud.com`; the documented `/api/…` paths are appended. */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly timeoutMs: number;
  /** Keep-alive sockets; match the fan-out concurrency. */
  readonly connections: number;
  readonly guard?: DirectoryGuard;
}

export type SortField = 'creation_time' | 'last_updated';

export interface ListUsersQuery {
  /** 1-based. */
  readonly page: number;
  readonly size: number;
  readonly filter?: string;
  readonly sort?: { readonly field: SortField; readonly order: 1 | -1 };
}

export interface UserListPage {
  readonly items: readonly WireUserSummary[];
  readonly pagination: WirePagination;
}

const GET_USER = 'GET /api/users/{id}';
const LIST_USERS = 'GET /api/users';

/** The MonoCloud Management API's user reads, exactly as documented; no mapping, no batching. */
export class MonoCloudClient {
  private readonly http: HttpClient;
  private readonly apiKey: string;

  constructor(options: MonoCloudClientOptions) {
    this.apiKey = options.apiKey;
    this.http = new HttpClient({
      provider: 'monocloud',
      baseUrl: options.baseUrl,
      timeoutMs: options.timeoutMs,
      connections: options.connections,
      guard: options.guard,
    });
  }

  /** The user, or null when MonoCloud answers 404. */
  async getUser(id: string, options?: CallOptions): Promise<WireUser | null> {
    // An empty or dot segment (even percent-encoded, per the URL standard) would address the collection
    // or its parent instead of a user, and no user has such an id.
    if (id === '' || id === '.' || id === '..') return null;
    const path = `/api/users/${encodeURIComponent(id)}`;
    const res = await this.http.send(
      { method: 'GET', path, operation: GET_USER, headers: this.headers() },
      options,
    );
    if (res.status === 404) return null;
    if (!isSuccess(res)) throw failure(GET_USER, res);
    return decode('monocloud', GET_USER, wireUser, res.body);
  }

  async listUsers(query: ListUsersQuery, options?: CallOptions): Promise<UserListPage> {
    const res = await this.http.send(
      {
        method: 'GET',
        path: '/api/users',
        operation: LIST_USERS,
        headers: this.headers(),
        query: {
          page: query.page,
          size: query.size,
          filter: query.filter,
          sort: query.sort ? `${query.sort.field}:${query.sort.order}` : undefined,
        },
      },
      options,
    );
    if (!isSuccess(res)) throw failure(LIST_USERS, res);
    const items = decode('monocloud', LIST_USERS, wireUserList, res.body);
    return { items, pagination: paginationOf(res) };
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private headers(): Record<string, string> {
    return { 'x-api-key': this.apiKey };
  }
}

function isSuccess(res: HttpResponse): boolean {
  return res.status >= 200 && res.status < 300;
}

function failure(operation: string, res: HttpResponse): UpstreamError {
  return errorFromResponse(
    operation,
    res.status,
    res.header('content-type'),
    res.body,
    res.status === 429 ? parseRetryAfter(res.header('retry-after')) : null,
  );
}

/** Totals live in the `x-pagination` header; without it a page cannot be placed, so it is off-contract. */
function paginationOf(res: HttpResponse): WirePagination {
  const raw = res.header('x-pagination');
  const parsed = raw === null ? null : wirePagination.safeParse(tryParseJson(raw));
  if (parsed?.success) return parsed.data;
  throw new UpstreamError({
    provider: 'monocloud',
    kind: 'bad_response',
    operation: LIST_USERS,
    detail: raw === null ? 'x-pagination header missing' : 'x-pagination header is not the documented JSON',
  });
}
