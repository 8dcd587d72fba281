import { generatePeople, type SeedAccount } from '../people.js';
import { type SimRequest, type SimResponse, Simulator, type SimulatorOptions } from '../server.js';
import { type AccessPerson, ZitadelAccess, type ZitadelAccessOptions } from './access.js';
import { buildRecords, protoTime, ZITADEL_ORG_ID, type ZitadelRecord } from './data.js';
import {
  camelKeys,
  enumValue,
  InvalidArgument,
  matches,
  sortRecords,
  USER_FIELD_NAMES,
  uintValue,
} from './search-query.js';
import { zitadelWriteRoutes } from './writes.js';

// A contract-faithful fake of ZITADEL's UserService v2 over REST (grpc-gateway): GetUserByID,
// ListUsers, ListIDPLinks and ListPasskeys, protojson in and out, grpc-gateway error bodies.

export const ZITADEL_DEMO_TOKEN = 'zpat_demo_3f8a1c2e9b7d4f6a8c0e2b4d6f8a0c2e';

export interface ZitadelSimulatorOptions extends SimulatorOptions, ZitadelAccessOptions {
  readonly accounts?: readonly SeedAccount[];
  /** The bearer token (PAT) the simulator accepts. */
  readonly token?: string;
  /**
   * Users the token may not read. Like the real server without PermissionCheckV2, list endpoints
   * drop them after offset/limit are applied but still count them in `totalResult`, and
   * GetUserByID answers 403.
   */
  readonly restrictedUserIds?: readonly string[];
}

const ERROR_DETAIL_TYPE = 'type.googleapis.com/zitadel.v1.ErrorDetail';

const GRPC_CODE_FOR_STATUS: Readonly<Record<number, number>> = {
  400: 3,
  401: 16,
  403: 7,
  404: 5,
  409: 6,
  429: 8,
  500: 13,
  501: 12,
  503: 14,
  504: 4,
};

/** grpc-gateway's error body: `{code, message: "<text> (<id>)", details: [ErrorDetail]}`. */
function grpcError(status: number, text: string, errorId: string | null): SimResponse {
  const code = GRPC_CODE_FOR_STATUS[status] ?? 2;
  const body =
    errorId === null
      ? { code, message: text, details: [] }
      : {
          code,
          message: `${text} (${errorId})`,
          details: [{ '@type': ERROR_DETAIL_TYPE, id: errorId, message: text }],
        };
  return { status, headers: { 'content-type': 'application/json' }, body };
}

export class ZitadelSimulator extends Simulator {
  readonly token: string;
  readonly orgId = ZITADEL_ORG_ID;
  readonly records: readonly ZitadelRecord[];
  /** Mutable so a test can change what the token may read. */
  readonly restrictedUserIds: Set<string>;
  /** Groups, authorizations, sessions and the event log, with what a test may change. */
  readonly access: ZitadelAccess;
  /** A user as it is now (after writes), or undefined once deleted. */
  readonly current: (userId: string) => ZitadelRecord | undefined;
  /** Sets a user's state as an admin (or the lockout policy) would (tests). */
  readonly setState: (userId: string, state: string) => void;

  constructor(options: ZitadelSimulatorOptions = {}) {
    const token = options.token ?? ZITADEL_DEMO_TOKEN;
    const accounts = options.accounts ?? generatePeople({ seed: options.seed }).zitadel;
    const records = buildRecords(accounts);
    const examples = records.length - accounts.length;
    const people: AccessPerson[] = records.map((record, index) => {
      const account = accounts[index - examples];
      return {
        userId: record.user.userId,
        personId: account?.personId ?? 900_000 + index,
        displayName: record.user.human?.profile.displayName ?? record.user.machine?.name ?? '',
        loginName: record.user.preferredLoginName ?? record.user.username ?? '',
        createdAtMs: record.createdAtMs,
        lastSignInMs: account?.lastSignInAt == null ? null : account.lastSignInAt * 1000,
        human: record.user.machine === undefined,
      };
    });
    const access = new ZitadelAccess(people, options);
    const byId = new Map(records.map((record) => [record.user.userId, record]));
    const restricted = new Set(options.restrictedUserIds ?? []);
    const visible = (record: ZitadelRecord) => !restricted.has(record.user.userId);
    const processedSequence = String(
      Math.max(0, ...records.map((record) => Number(record.user.details.sequence ?? 0))),
    );
    const listDetails = (total: number) => ({
      ...(total > 0 && { totalResult: String(total) }),
      processedSequence,
      timestamp: protoTime(Date.now()),
    });

    super(
      {
        provider: 'zitadel',
        authenticate(req) {
          const header = req.headers.authorization ?? '';
          const match = /^bearer\s+(.+)$/i.exec(header);
          if (match?.[1] === token) return null;
          return grpcError(401, 'Errors.Token.Invalid', 'AUTH-7fs1e');
        },
        errorResponse: (status, message) => grpcError(status, message, `SIMULATOR-${status}`),
        routes: [
          ...zitadelWriteRoutes({ byId, records, restricted, access, error: grpcError }),
          ...access.routes(grpcError),
          {
            name: 'getUser',
            method: 'GET',
            pattern: '/v2/users/:id',
            handle(req) {
              const record = byId.get(req.params.id ?? '');
              if (!record) return grpcError(404, 'User could not be found', 'QUERY-Dfbg2');
              if (!visible(record)) return grpcError(403, 'No matching permissions found', 'AUTHZ-HKJD33');
              return json({ details: record.user.details, user: record.user });
            },
          },
          {
            name: 'listUsers',
            method: 'POST',
            pattern: '/v2/users',
            handle(req) {
              return withBody(req, (body) => {
                const query = listQuery(body.query);
                const sortingColumn = enumValue(
                  USER_FIELD_NAMES,
                  body.sortingColumn,
                  'sortingColumn',
                  'USER_FIELD_NAME_UNSPECIFIED',
                );
                const queries = body.queries ?? [];
                if (!Array.isArray(queries)) throw new InvalidArgument('queries must be a list');
                const found = sortRecords(
                  records.filter((record) => matches(record.user, queries)),
                  sortingColumn,
                  query.asc,
                );
                const page = window(found, query).filter(visible);
                return json({
                  details: listDetails(found.length),
                  ...(sortingColumn !== 'USER_FIELD_NAME_UNSPECIFIED' && { sortingColumn }),
                  ...(page.length > 0 && { result: page.map((record) => record.user) }),
                });
              });
            },
          },
          {
            name: 'listIdpLinks',
            method: 'POST',
            pattern: '/v2/users/:id/links/_search',
            handle(req) {
              return withBody(req, (body) => {
                const query = listQuery(body.query);
                // A search, not a lookup: an unknown user simply has no links.
                const record = byId.get(req.params.id ?? '');
                const links = record?.idpLinks ?? [];
                const ordered = query.asc ? links : [...links].reverse();
                const page = record && visible(record) ? window(ordered, query) : [];
                return json({
                  details: listDetails(links.length),
                  ...(page.length > 0 && { result: page }),
                });
              });
            },
          },
          {
            name: 'listPasskeys',
            method: 'POST',
            pattern: '/v2/users/:id/passkeys/_search',
            handle(req) {
              return withBody(req, () => {
                const record = byId.get(req.params.id ?? '');
                const passkeys = record?.passkeys ?? [];
                const page = record && visible(record) ? passkeys : [];
                return json({
                  details: listDetails(passkeys.length),
                  ...(page.length > 0 && { result: page }),
                });
              });
            },
          },
        ],
      },
      options,
    );
    this.token = token;
    this.access = access;
    this.records = records;
    this.restrictedUserIds = restricted;
    this.current = (userId) => byId.get(userId);
    this.setState = (userId, state) => {
      const record = byId.get(userId);
      if (record === undefined) throw new Error(`no user ${userId}`);
      const next = { ...record, user: { ...record.user, state } };
      byId.set(userId, next);
      records[records.indexOf(record)] = next;
    };
  }
}

export function createZitadelSimulator(options: ZitadelSimulatorOptions = {}): ZitadelSimulator {
  return new ZitadelSimulator(options);
}

function json(body: unknown): SimResponse {
  return { status: 200, headers: { 'content-type': 'application/json' }, body };
}

interface ListQuery {
  readonly offset: number;
  readonly limit: number;
  readonly asc: boolean;
}

function listQuery(raw: unknown): ListQuery {
  const query = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  if (query.asc !== undefined && typeof query.asc !== 'boolean') {
    throw new InvalidArgument('invalid value for bool field asc');
  }
  return {
    offset: uintValue(query.offset, 'offset'),
    limit: uintValue(query.limit, 'limit'),
    asc: query.asc === true,
  };
}

/** offset/limit as the server's SQL applies them; limit 0 means no LIMIT at all. */
function window<T>(items: readonly T[], query: ListQuery): T[] {
  return items.slice(query.offset, query.limit === 0 ? undefined : query.offset + query.limit);
}

/** Parses the (camelCase or snake_case) JSON body; a refused request becomes grpc-gateway's 400. */
function withBody(req: SimRequest, handle: (body: Record<string, unknown>) => SimResponse): SimResponse {
  if (req.rawBody.trim() !== '' && req.body === undefined) {
    return grpcError(400, 'proto: syntax error: invalid JSON body', null);
  }
  const body = camelKeys(req.body ?? {});
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return grpcError(400, 'proto: request body must be a JSON object', null);
  }
  try {
    return handle(body as Record<string, unknown>);
  } catch (error) {
    if (error instanceof InvalidArgument) return grpcError(400, error.message, error.errorId);
    throw error;
  }
}
