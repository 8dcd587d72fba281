import type { z } from 'zod';
import { UpstreamError } from '../../directory/failures.js';
import type { PlannedCall } from '../../directory/lifecycle.js';
import type { CallOptions } from '../../directory/port.js';
import type { HttpClient, HttpResponse } from '../../http/client.js';
import { decode, tryParseJson } from '../../http/decode.js';
import { problemFacts } from './problem.js';
import {
  type WirePagination,
  type WireUser,
  type WireUserSummary,
  wirePagination,
  wireUser,
  wireUserList,
} from './wire.js';

export interface MonoCloudClientOptions {
  /** The tenant's HttpClient (base URL e.g. `https://acme.us.monocloud.com`; the `/api/…` paths are appended). */
  readonly http: HttpClient;
  readonly apiKey: string;
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
    this.http = options.http;
  }

  /** The user, or null when MonoCloud answers 404. */
  async getUser(id: string, options?: CallOptions): Promise<WireUser | null> {
    // An empty or dot segment (even percent-encoded, per the URL standard) would address the collection
    // or its parent instead of a user, and no user has such an id.
    if (id === '' || id === '.' || id === '..') return null;
    const path = `/api/users/${encodeURIComponent(id)}`;
    const res = await this.http.send(
      {
        method: 'GET',
        path,
        operation: GET_USER,
        headers: this.headers(),
        answers: [404],
        // Its DataLoader sends each id once per request: no need to keep the answer (HttpCall.memo).
        memo: false,
        describeError: problemFacts,
      },
      options,
    );
    if (res.status === 404) return null;
    return decode('monocloud', GET_USER, wireUser, res.body);
  }

  /** One planned write, sent once with the API key (directory/lifecycle.ts). */
  async write(call: PlannedCall, options?: CallOptions): Promise<void> {
    await this.http.send(
      {
        method: call.method,
        path: call.path,
        operation: call.operation,
        headers: this.headers(),
        ...(call.body === undefined ? {} : { json: call.body }),
        write: true,
        describeError: problemFacts,
      },
      options,
    );
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
        describeError: problemFacts,
      },
      options,
    );
    const items = decode('monocloud', LIST_USERS, wireUserList, res.body);
    return { items, pagination: paginationOf(res, LIST_USERS) };
  }

  /**
   * One page of any of MonoCloud's page/size lists (groups, a user's groups, a group's members,
   * sessions, logs): the items and `x-pagination`; null on 404 when `notFound` says the parent is gone.
   */
  async page<T>(
    path: string,
    operation: string,
    item: z.ZodType<T>,
    query: Readonly<Record<string, string | number | undefined>>,
    options?: CallOptions,
  ): Promise<{ readonly items: readonly T[]; readonly pagination: WirePagination } | null> {
    const res = await this.http.send(
      {
        method: 'GET',
        path,
        operation,
        headers: this.headers(),
        query,
        answers: [404],
        describeError: problemFacts,
      },
      options,
    );
    if (res.status === 404) return null;
    const items = decode('monocloud', operation, item.array(), res.body);
    return { items, pagination: paginationOf(res, operation) };
  }

  /** One resource by id, or null on 404. */
  async one<T>(
    path: string,
    operation: string,
    item: z.ZodType<T>,
    options?: CallOptions,
  ): Promise<T | null> {
    const res = await this.http.send(
      {
        method: 'GET',
        path,
        operation,
        headers: this.headers(),
        answers: [404],
        describeError: problemFacts,
      },
      options,
    );
    if (res.status === 404) return null;
    return decode('monocloud', operation, item, res.body);
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private headers(): Record<string, string> {
    return { 'x-api-key': this.apiKey };
  }
}

/** Totals live in the `x-pagination` header; without it a page cannot be placed, so it is off-contract. */
function paginationOf(res: HttpResponse, operation: string): WirePagination {
  const raw = res.header('x-pagination');
  const parsed = raw === null ? null : wirePagination.safeParse(tryParseJson(raw));
  if (parsed?.success) return parsed.data;
  throw new UpstreamError({
    provider: 'monocloud',
    kind: 'bad_response',
    operation,
    detail: raw === null ? 'x-pagination header missing' : 'x-pagination header is not the documented JSON',
  });
}
