import { randomBytes } from 'node:crypto';
import { generatePeople, type SeedAccount } from '../people.js';
import { type SimRequest, type SimResponse, Simulator } from '../server.js';
import type { UserPayload as WireUser } from './payloads.js';
import { buildRecords, objectId } from './records.js';

// A contract-faithful fake of the App Services Admin API v3 user routes (providers/README.md §3), with
// its session lifecycle: key-pair login, 30-minute access tokens, refresh via /auth/session.

export interface AppServicesSimulatorOptions {
  readonly accounts?: readonly SeedAccount[];
  readonly groupId?: string;
  readonly appId?: string;
  readonly publicApiKey?: string;
  readonly privateApiKey?: string;
  /** Access tokens expire this long after issue (default 30 minutes, as documented). */
  readonly tokenLifetimeMs?: number;
  /** The clock tokens expire by, so tests can move time instead of waiting. */
  readonly now?: () => number;
  readonly latencyMs?: number;
  readonly seed?: number;
}

const API = '/api/admin/v3.0';
const APP = `${API}/groups/:groupId/apps/:appId`;
const PAGE_SIZE = 50;
const OBJECT_ID = /^[0-9a-f]{24}$/;

/** What realm-cli's integration test sees for a wrong key pair: a message and no `error_code`. */
const LOGIN_FAILED = {
  error: 'failed to authenticate with MongoDB Cloud API: You are not authorized for this resource.',
};

export class AppServicesSimulator extends Simulator {
  readonly groupId: string;
  readonly appId: string;
  readonly publicApiKey: string;
  readonly privateApiKey: string;
  readonly tokenLifetimeMs: number;
  /** All users in `_id` order. */
  readonly records: readonly WireUser[];
  private readonly byId: Map<string, WireUser>;
  private created = 0;
  private readonly now: () => number;
  /** Access token → issue time (ms). */
  private readonly accessTokens = new Map<string, number>();
  private readonly refreshTokens = new Set<string>();
  private loginCount = 0;
  private refreshCount = 0;

  constructor(options: AppServicesSimulatorOptions = {}) {
    const self = (): AppServicesSimulator => this;
    super(
      {
        provider: 'app-services',
        routes: [
          {
            name: 'login',
            method: 'POST',
            pattern: `${API}/auth/providers/mongodb-cloud/login`,
            public: true,
            handle: (req) => self().login(req),
          },
          {
            name: 'refresh',
            method: 'POST',
            pattern: `${API}/auth/session`,
            public: true,
            handle: (req) => self().refresh(req),
          },
          {
            name: 'getUser',
            method: 'GET',
            pattern: `${APP}/users/:userId`,
            handle: (req) => self().getUser(req),
          },
          {
            name: 'listUsers',
            method: 'GET',
            pattern: `${APP}/users`,
            handle: (req) => self().listUsers(req),
          },
          // The Admin API's user writes (lifecycle-actions.md §3): no body, 204 each. What a repeat
          // answers is unconfirmed: `repeats` chooses 204 (the default, PUT semantics) or 409.
          {
            name: 'disableUser',
            method: 'PUT',
            pattern: `${APP}/users/:userId/disable`,
            handle: (req) => self().setDisabled(req, true),
          },
          {
            name: 'enableUser',
            method: 'PUT',
            pattern: `${APP}/users/:userId/enable`,
            handle: (req) => self().setDisabled(req, false),
          },
          {
            name: 'logoutUser',
            method: 'PUT',
            pattern: `${APP}/users/:userId/logout`,
            handle: (req) => self().logout(req),
          },
          {
            name: 'deleteUser',
            method: 'DELETE',
            pattern: `${APP}/users/:userId`,
            handle: (req) => self().deleteUser(req),
          },
        ],
        authenticate: (req) => self().authenticate(req),
        errorResponse,
      },
      { latencyMs: options.latencyMs, seed: options.seed },
    );
    this.groupId = options.groupId ?? '5e5cdca1a3f2b94c7d0e1f21';
    this.appId = options.appId ?? '5e5cdca4e8b13f0a2c9d4b77';
    this.publicApiKey = options.publicApiKey ?? 'qwertyui';
    this.privateApiKey = options.privateApiKey ?? '1f2e3d4c-5b6a-4789-8a9b-0c1d2e3f4a5b';
    this.tokenLifetimeMs = options.tokenLifetimeMs ?? 30 * 60_000;
    this.now = options.now ?? Date.now;
    this.records = buildRecords(options.accounts ?? generatePeople().appServices);
    this.byId = new Map(this.records.map((record) => [record._id, record]));
  }

  /**
   * A new email/password user, created now, as sign-up would create one (issue 16's change feed): its
   * ObjectId carries the creation second, so it sorts after every older user.
   */
  addUser(name: string): WireUser {
    const seconds = Math.floor(this.now() / 1000);
    this.created += 1;
    const user: WireUser = {
      _id: objectId(seconds, `f00d${String(this.created).padStart(12, '0')}`),
      identities: [],
      type: 'normal',
      creation_date: seconds,
      disabled: false,
      data: { name },
    };
    (this.records as WireUser[]).push(user);
    (this.records as WireUser[]).sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0));
    this.byId.set(user._id, user);
    return user;
  }

  /** Successful logins so far. */
  get logins(): number {
    return this.loginCount;
  }

  /** Successful refreshes so far. */
  get refreshes(): number {
    return this.refreshCount;
  }

  /** A session as a login would give it, for tests that use a static access token. */
  issueTokens(): { readonly accessToken: string; readonly refreshToken: string } {
    const accessToken = token();
    const refreshToken = token();
    this.accessTokens.set(accessToken, this.now());
    this.refreshTokens.add(refreshToken);
    return { accessToken, refreshToken };
  }

  /** Every access token issued so far is expired from now on (refresh tokens still work). */
  expireAccessTokens(): void {
    for (const issued of this.accessTokens.keys()) this.accessTokens.set(issued, Number.NEGATIVE_INFINITY);
  }

  /** Every refresh token issued so far is forgotten, as after its expiry or a logout. */
  revokeRefreshTokens(): void {
    this.refreshTokens.clear();
  }

  override reset(): void {
    super.reset();
    this.loginCount = 0;
    this.refreshCount = 0;
  }

  private login(req: SimRequest): SimResponse {
    const body = req.body as { username?: unknown; apiKey?: unknown } | undefined;
    if (body?.username !== this.publicApiKey || body.apiKey !== this.privateApiKey) {
      return { status: 401, body: LOGIN_FAILED };
    }
    this.loginCount += 1;
    const { accessToken, refreshToken } = this.issueTokens();
    return {
      status: 200,
      body: {
        access_token: accessToken,
        refresh_token: refreshToken,
        user_id: '5e5cdca4a3f2b94c7d0e1f30',
        device_id: '000000000000000000000000',
      },
    };
  }

  private refresh(req: SimRequest): SimResponse {
    const presented = bearer(req);
    if (presented !== null && this.accessTokens.has(presented)) {
      // The spec's documented 401 for this route; its error_code is UNCONFIRMED.
      return invalidSession('invalid refresh token: incorrect token type');
    }
    if (presented === null || !this.refreshTokens.has(presented)) {
      return invalidSession('invalid session: failed to find refresh token');
    }
    this.refreshCount += 1;
    const accessToken = token();
    this.accessTokens.set(accessToken, this.now());
    return { status: 201, body: { access_token: accessToken } };
  }

  private authenticate(req: SimRequest): SimResponse | null {
    const presented = bearer(req);
    const issued = presented === null ? undefined : this.accessTokens.get(presented);
    if (issued === undefined) return invalidSession('invalid session');
    if (this.now() - issued >= this.tokenLifetimeMs)
      return invalidSession('invalid session: access token expired');
    return null;
  }

  /** What a repeated disable or enable answers: 204 again (the default) or 409. */
  repeats: 'ok' | 409 = 'ok';
  /** Logouts made per user (sessions cannot be listed; tests read this). */
  readonly logouts = new Map<string, number>();

  /** A user as it is now (after writes), or undefined once deleted. */
  current(userId: string): WireUser | undefined {
    return this.byId.get(userId);
  }

  /** Changes a user as an admin would in the Atlas UI (tests). */
  update(userId: string, changes: Partial<WireUser>): void {
    const user = this.byId.get(userId);
    if (user === undefined) throw new Error(`no user ${userId}`);
    const next = { ...user, ...changes };
    this.byId.set(userId, next);
    const records = this.records as WireUser[];
    records[records.indexOf(user)] = next;
  }

  private setDisabled(req: SimRequest, disabled: boolean): SimResponse {
    const scope = this.checkScope(req);
    if (scope) return scope;
    const user = this.byId.get(req.params.userId ?? '');
    if (user === undefined) return notFound('user not found', 'UserNotFound');
    if (user.disabled === disabled && this.repeats !== 'ok') {
      return errorResponse(409, disabled ? 'user is already disabled' : 'user is already enabled');
    }
    const next = { ...user, disabled };
    this.byId.set(user._id, next);
    const records = this.records as WireUser[];
    records[records.indexOf(user)] = next;
    return { status: 204 };
  }

  private logout(req: SimRequest): SimResponse {
    const scope = this.checkScope(req);
    if (scope) return scope;
    const id = req.params.userId ?? '';
    if (!this.byId.has(id)) return notFound('user not found', 'UserNotFound');
    this.logouts.set(id, (this.logouts.get(id) ?? 0) + 1);
    return { status: 204 };
  }

  private deleteUser(req: SimRequest): SimResponse {
    const scope = this.checkScope(req);
    if (scope) return scope;
    const user = this.byId.get(req.params.userId ?? '');
    if (user === undefined) return notFound('user not found', 'UserNotFound');
    this.byId.delete(user._id);
    const records = this.records as WireUser[];
    records.splice(records.indexOf(user), 1);
    return { status: 204 };
  }

  private getUser(req: SimRequest): SimResponse {
    const scope = this.checkScope(req);
    if (scope) return scope;
    const user = this.byId.get(req.params.userId ?? '');
    // The error_code is UNCONFIRMED: the spec documents no 404 body for this route.
    return user ? { status: 200, body: user } : notFound('user not found', 'UserNotFound');
  }

  private listUsers(req: SimRequest): SimResponse {
    const scope = this.checkScope(req);
    if (scope) return scope;
    const after = req.query.get('after');
    const sort = req.query.get('sort');
    const desc = parseBool(req.query.get('desc'));
    const status = req.query.get('status');
    const providerTypes = req.query.get('provider_types')?.split(',').filter(Boolean) ?? [];
    if (sort !== null && sort !== '_id') return badRequest(`invalid sort field: only "_id" is supported`);
    if (desc === undefined) return badRequest('invalid value for "desc": expected a boolean');
    if (after !== null && !OBJECT_ID.test(after))
      return badRequest('invalid value for "after": expected an ObjectId');
    if (status !== null && status !== 'enabled' && status !== 'disabled') {
      return badRequest('invalid value for "status": expected "enabled" or "disabled"');
    }
    const ordered = desc ? [...this.records].reverse() : this.records;
    const page = ordered
      .filter((user) => after === null || (desc ? user._id < after : user._id > after))
      .filter((user) => status === null || user.disabled === (status === 'disabled'))
      .filter(
        (user) =>
          providerTypes.length === 0 ||
          (user.identities ?? []).some((identity) => providerTypes.includes(identity.provider_type)),
      )
      .slice(0, PAGE_SIZE);
    return { status: 200, body: page };
  }

  /** Wrong project or app id; the error_code is UNCONFIRMED. */
  private checkScope(req: SimRequest): SimResponse | null {
    if (req.params.groupId === this.groupId && req.params.appId === this.appId) return null;
    return notFound('app not found', 'AppNotFound');
  }
}

export function createAppServicesSimulator(options: AppServicesSimulatorOptions = {}): AppServicesSimulator {
  return new AppServicesSimulator(options);
}

function errorResponse(status: number, message: string): SimResponse {
  return { status, body: { error: message, error_code: ERROR_CODES[status] ?? 'InternalServerError' } };
}

/** Codes for statuses the spec leaves undocumented (UNCONFIRMED, except InvalidSession). */
const ERROR_CODES: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'InvalidSession',
  403: 'Forbidden',
  404: 'NotFound',
  429: 'TooManyRequests',
};

function invalidSession(message: string): SimResponse {
  return { status: 401, body: { error: message, error_code: 'InvalidSession' } };
}

function notFound(message: string, code: string): SimResponse {
  return { status: 404, body: { error: message, error_code: code } };
}

function badRequest(message: string): SimResponse {
  return { status: 400, body: { error: message, error_code: 'InvalidParameter' } };
}

function bearer(req: SimRequest): string | null {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer (\S+)$/.exec(header) : null;
  return match?.[1] ?? null;
}

/** Reads `desc` the way Go's strconv.ParseBool would (assumed: the server is written in Go); absent is false. */
function parseBool(value: string | null): boolean | undefined {
  if (value === null) return false;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

function token(): string {
  return randomBytes(24).toString('base64url');
}
