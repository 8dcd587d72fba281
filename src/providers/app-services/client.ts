import { upstreamErrorFor } from '../../codes/failure-codes.js';
import type { PlannedCall } from '../../directory/lifecycle.js';
import type { CallOptions } from '../../directory/port.js';
import type { HttpClient } from '../../http/client.js';
import { decode } from '../../http/decode.js';
import { appServicesErrorFacts, errorCodeOf } from './error-body.js';
import { type AppServicesCredentials, TokenManager } from './token-manager.js';
import { type WireUser, WireUserList, WireUser as WireUserSchema } from './wire.js';

export interface AppServicesClientOptions {
  /** The HttpClient for the origin, e.g. `https://services.cloud.mongodb.com`; the client adds `/api/admin/v3.0`. */
  readonly http: HttpClient;
  /** The Atlas project id. */
  readonly groupId: string;
  /** The app's ObjectId `_id`, not its `client_app_id`. */
  readonly appId: string;
  readonly credentials: AppServicesCredentials;
  readonly tokenLifetimeMs?: number;
  readonly now?: () => number;
}

export interface ListUsersQuery {
  /** `_id` of the last user already seen (exclusive); absent for the first page. */
  readonly after?: string;
  readonly desc: boolean;
  /** Undocumented, used by realm-cli: only enabled or only disabled users. */
  readonly status?: 'enabled' | 'disabled';
}

export const ADMIN_API = '/api/admin/v3.0';
export const GET_USER_OPERATION = 'GET /groups/{groupId}/apps/{appId}/users/{userId}';
export const LIST_USERS_OPERATION = 'GET /groups/{groupId}/apps/{appId}/users';

/**
 * 404 codes that name the group or app rather than the user: a misconfigured directory must fail
 * loudly, not look empty. The codes are UNCONFIRMED (the spec documents no 404 body for these routes).
 */
const SCOPE_NOT_FOUND_CODES: ReadonlySet<string> = new Set(['AppNotFound', 'GroupNotFound']);

/** The Admin API's user routes, as documented (adminGetUser, adminListUsers), behind the token manager. */
export class AppServicesClient {
  readonly tokens: TokenManager;
  private readonly http: HttpClient;
  /** `/api/admin/v3.0/groups/{groupId}/apps/{appId}`, which every user route extends. */
  readonly appPath: string;
  private readonly now: () => number;

  constructor(options: AppServicesClientOptions) {
    this.http = options.http;
    this.now = options.now ?? Date.now;
    this.tokens = new TokenManager({
      http: this.http,
      basePath: ADMIN_API,
      credentials: options.credentials,
      tokenLifetimeMs: options.tokenLifetimeMs,
      now: this.now,
    });
    this.appPath = `${ADMIN_API}/groups/${encodeURIComponent(options.groupId)}/apps/${encodeURIComponent(options.appId)}`;
  }

  /** The user, or null when App Services has no user with that id. */
  async getUser(userId: string, options: CallOptions = {}): Promise<WireUser | null> {
    const response = await this.tokens.send(
      {
        method: 'GET',
        path: `${this.appPath}/users/${encodeURIComponent(userId)}`,
        operation: GET_USER_OPERATION,
        answers: [404],
        // Its DataLoader sends each id once per request: no need to keep the answer (HttpCall.memo).
        memo: false,
        describeError: appServicesErrorFacts,
      },
      options,
    );
    if (response.status === 404) {
      if (!SCOPE_NOT_FOUND_CODES.has(errorCodeOf(response) ?? '')) return null;
      throw upstreamErrorFor(
        'app-services',
        GET_USER_OPERATION,
        response,
        appServicesErrorFacts(response),
        this.now(),
      );
    }
    return decode('app-services', GET_USER_OPERATION, WireUserSchema, response.body);
  }

  /** One page of at most 50 confirmed users in `_id` order. */
  async listUsers(query: ListUsersQuery, options: CallOptions = {}): Promise<WireUser[]> {
    const response = await this.tokens.send(
      {
        method: 'GET',
        path: `${this.appPath}/users`,
        operation: LIST_USERS_OPERATION,
        query: { after: query.after, sort: '_id', desc: query.desc, status: query.status },
        describeError: appServicesErrorFacts,
      },
      options,
    );
    return decode('app-services', LIST_USERS_OPERATION, WireUserList, response.body);
  }

  /** One planned write, sent once behind the token manager (directory/lifecycle.ts). */
  async write(call: PlannedCall, options: CallOptions = {}): Promise<void> {
    await this.tokens.send(
      {
        method: call.method,
        path: call.path,
        operation: call.operation,
        write: true,
        describeError: appServicesErrorFacts,
      },
      options,
    );
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
