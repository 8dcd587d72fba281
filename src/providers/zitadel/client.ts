import type { ProviderErrorFacts } from '../../codes/failure-codes.js';
import type { PlannedCall } from '../../directory/lifecycle.js';
import type { CallOptions } from '../../directory/port.js';
import type { HttpCall, HttpClient, HttpResponse } from '../../http/client.js';
import { decode, tryParseJson } from '../../http/decode.js';
import {
  getUserByIdResponseSchema,
  listIdpLinksResponseSchema,
  listPasskeysResponseSchema,
  listUsersResponseSchema,
  optionalText,
  type UserFieldName,
  type WireIdpLink,
  type WirePasskey,
  type WireSearchQuery,
  type WireUser,
} from './wire.js';

export interface ZitadelClientOptions {
  /** The instance's HttpClient (origin e.g. `https://corp.zitadel.cloud`). */
  readonly http: HttpClient;
  /** A personal access token or an OAuth access token, sent as `Authorization: Bearer`. */
  readonly token: string;
}

/** object/v2 ListQuery. `limit` is required here: the server treats 0 or absent as "no limit". */
export interface ListQuery {
  readonly offset: number;
  readonly limit: number;
  /** The server's default is descending. */
  readonly asc: boolean;
}

export interface ListUsersParams extends ListQuery {
  readonly sortingColumn?: UserFieldName;
  readonly queries?: readonly WireSearchQuery[];
}

export interface ListResult<T> {
  readonly result: readonly T[];
  /** Matches before the server's permission filter, so it can exceed what paging ever returns. */
  readonly totalResult: number;
}

export interface ListUsersResult extends ListResult<WireUser> {
  readonly sortingColumn: UserFieldName | null;
  readonly processedSequence: string | null;
  readonly timestamp: string | null;
}

const OP_GET_USER = 'GET /v2/users/{userId}';
const OP_LIST_USERS = 'POST /v2/users';
const OP_LIST_IDP_LINKS = 'POST /v2/users/{userId}/links/_search';
const OP_LIST_PASSKEYS = 'POST /v2/users/{userId}/passkeys/_search';

/** The REST (grpc-gateway) face of ZITADEL's UserService v2, for the four reads usergraph needs. */
export class ZitadelClient {
  private readonly http: HttpClient;
  private readonly authorization: string;

  constructor(options: ZitadelClientOptions) {
    this.http = options.http;
    this.authorization = `Bearer ${options.token}`;
  }

  /** GetUserByID; null when the server says the user does not exist (404). */
  async getUser(userId: string, options?: CallOptions): Promise<WireUser | null> {
    const res = await this.send(
      {
        method: 'GET',
        path: `/v2/users/${encodeURIComponent(userId)}`,
        operation: OP_GET_USER,
        answers: [404],
      },
      options,
    );
    if (res.status === 404) return null;
    return decode('zitadel', OP_GET_USER, getUserByIdResponseSchema, res.body).user;
  }

  async listUsers(params: ListUsersParams, options?: CallOptions): Promise<ListUsersResult> {
    const json: Record<string, unknown> = { query: listQuery(params) };
    if (params.sortingColumn !== undefined) json.sortingColumn = params.sortingColumn;
    if (params.queries !== undefined) json.queries = params.queries;
    const res = await this.send(
      { method: 'POST', path: '/v2/users', operation: OP_LIST_USERS, json },
      options,
    );
    const body = decode('zitadel', OP_LIST_USERS, listUsersResponseSchema, res.body);
    return {
      result: body.result ?? [],
      totalResult: Number(body.details?.totalResult ?? 0),
      sortingColumn: body.sortingColumn ?? null,
      processedSequence: optionalText(body.details?.processedSequence),
      timestamp: body.details?.timestamp ?? null,
    };
  }

  /** ListIDPLinks; null on 404 (the real server answers an unknown user with an empty list instead). */
  async listIdpLinks(
    userId: string,
    query: ListQuery,
    options?: CallOptions,
  ): Promise<ListResult<WireIdpLink> | null> {
    const res = await this.send(
      {
        method: 'POST',
        path: `/v2/users/${encodeURIComponent(userId)}/links/_search`,
        operation: OP_LIST_IDP_LINKS,
        json: { query: listQuery(query) },
        answers: [404],
      },
      options,
    );
    if (res.status === 404) return null;
    const body = decode('zitadel', OP_LIST_IDP_LINKS, listIdpLinksResponseSchema, res.body);
    return { result: body.result ?? [], totalResult: Number(body.details?.totalResult ?? 0) };
  }

  /** ListPasskeys. Its request has no ListQuery: the server always returns every ready passkey. */
  async listPasskeys(userId: string, options?: CallOptions): Promise<ListResult<WirePasskey> | null> {
    const res = await this.send(
      {
        method: 'POST',
        path: `/v2/users/${encodeURIComponent(userId)}/passkeys/_search`,
        operation: OP_LIST_PASSKEYS,
        json: {},
        answers: [404],
      },
      options,
    );
    if (res.status === 404) return null;
    const body = decode('zitadel', OP_LIST_PASSKEYS, listPasskeysResponseSchema, res.body);
    return { result: body.result ?? [], totalResult: Number(body.details?.totalResult ?? 0) };
  }

  /**
   * A JSON `POST` and its decoded answer: a Connect procedure (`/zitadel.group.v2.GroupService/
   * ListGroups`) or a REST search (`/v2/sessions/search`). With `missingIsUnsupported`, a 404 or 501
   * (the service does not exist on this server) comes back as null.
   */
  async post<T>(
    path: string,
    operation: string,
    schema: import('zod').ZodType<T>,
    json: Record<string, unknown>,
    options?: CallOptions,
    missingIsUnsupported = false,
  ): Promise<T | null> {
    const res = await this.send(
      { method: 'POST', path, operation, json, answers: missingIsUnsupported ? [404, 501] : [] },
      options,
    );
    if (res.status === 404 || res.status === 501) return null;
    return decode('zitadel', operation, schema, res.body);
  }

  /** One planned write, sent once with the token (directory/lifecycle.ts). */
  async write(call: PlannedCall, options?: CallOptions): Promise<void> {
    await this.send(
      { method: call.method, path: call.path, operation: call.operation, json: call.body, write: true },
      options,
    );
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private send(call: HttpCall, options?: CallOptions): Promise<HttpResponse> {
    return this.http.send(
      { ...call, headers: { authorization: this.authorization }, describeError: zitadelErrorFacts },
      options,
    );
  }
}

function listQuery(query: ListQuery): { offset: string; limit: number; asc: boolean } {
  if (!Number.isInteger(query.limit) || query.limit < 1) {
    throw new RangeError(`zitadel: list limit must be a positive integer, got ${query.limit}`);
  }
  if (!Number.isInteger(query.offset) || query.offset < 0) {
    throw new RangeError(`zitadel: list offset must be a non-negative integer, got ${query.offset}`);
  }
  return { offset: String(query.offset), limit: query.limit, asc: query.asc };
}

const GRPC_CODE_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

/** grpc-gateway sends the code as a number, Connect as a lower-case name (`not_found`, `canceled`). */
export function grpcCodeName(code: unknown): string | null {
  if (typeof code === 'number') return GRPC_CODE_NAMES[code] ?? null;
  if (typeof code !== 'string') return null;
  const name = code.toUpperCase() === 'CANCELED' ? 'CANCELLED' : code.toUpperCase();
  return (GRPC_CODE_NAMES as readonly string[]).includes(name) ? name : null;
}

const ERROR_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * What a ZITADEL error body says. Only the gRPC code and ZITADEL's short error id (`COMMAND-4f8sg`)
 * are kept: the message is localised free text and may echo request data.
 */
export function zitadelErrorFacts(res: HttpResponse): ProviderErrorFacts {
  const body = tryParseJson(res.body);
  const record = isRecord(body) ? body : {};
  const details = Array.isArray(record.details) ? record.details : [];
  let errorId: string | null = null;
  for (const entry of details) {
    if (!isRecord(entry)) continue;
    // grpc-gateway puts the ErrorDetail fields inline; Connect nests their JSON under `debug`.
    const id = entry.id ?? (isRecord(entry.debug) ? entry.debug.id : undefined);
    if (typeof id === 'string' && ERROR_ID.test(id)) {
      errorId = id;
      break;
    }
  }
  return { providerCode: grpcCodeName(record.code), detail: errorId };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
