import type { CallContext } from '../../directory/call-context.js';
import { UpstreamError } from '../../directory/failures.js';
import type { CallOptions } from '../../directory/port.js';
import type { HttpCall, HttpClient, HttpResponse } from '../../http/client.js';
import { decode } from '../../http/decode.js';
import { appServicesErrorFacts, INVALID_SESSION } from './error-body.js';
import { WireLoginResponse, WireSessionResponse } from './wire.js';

export type AppServicesCredentials =
  | { readonly publicApiKey: string; readonly privateApiKey: string }
  | { readonly accessToken: string };

export interface TokenManagerOptions {
  readonly http: HttpClient;
  /** The Admin API's path under the origin (`/api/admin/v3.0`). */
  readonly basePath: string;
  readonly credentials: AppServicesCredentials;
  /** How long an access token lives from issue; the Admin API's is 30 minutes. */
  readonly tokenLifetimeMs?: number;
  readonly now?: () => number;
}

export const DEFAULT_TOKEN_LIFETIME_MS = 30 * 60_000;
export const LOGIN_OPERATION = 'POST /auth/providers/mongodb-cloud/login';
export const REFRESH_OPERATION = 'POST /auth/session';

interface Session {
  readonly accessToken: string;
  /** Null for a static access token, which is never renewed. */
  readonly refreshToken: string | null;
  /** Renew before use from here on: a sixth of the lifetime ahead of expiry (5 of the default 30 min). */
  readonly renewAt: number;
}

/**
 * Holds the Admin API session for one directory. Logins and refreshes are single-flight: however many
 * calls find the token missing, due or rejected at once, one request renews it and they all share it.
 * Renewal follows realm-cli: on `InvalidSession` refresh and replay once; a refused refresh means log in
 * again. Tokens and keys never reach an error or a log.
 */
export class TokenManager {
  private readonly http: HttpClient;
  private readonly basePath: string;
  private readonly credentials: AppServicesCredentials;
  private readonly lifetimeMs: number;
  private readonly now: () => number;
  private session: Session | null;
  private flight: Promise<Session> | null = null;

  constructor(options: TokenManagerOptions) {
    this.http = options.http;
    this.basePath = options.basePath;
    this.credentials = options.credentials;
    this.lifetimeMs = options.tokenLifetimeMs ?? DEFAULT_TOKEN_LIFETIME_MS;
    this.now = options.now ?? Date.now;
    this.session =
      'accessToken' in options.credentials
        ? {
            accessToken: options.credentials.accessToken,
            refreshToken: null,
            renewAt: Number.POSITIVE_INFINITY,
          }
        : null;
  }

  /** Resolves once a usable access token is at hand; rejects with the login's error (bad key pair…). */
  async ready(options: CallOptions = {}): Promise<void> {
    await this.current(options, LOGIN_OPERATION);
  }

  /** Sends `call` with the access token; after an `InvalidSession` renews the session once and replays. */
  async send(call: HttpCall, options: CallOptions = {}): Promise<HttpResponse> {
    const session = await this.current(options, call.operation);
    try {
      return await this.http.send(withBearer(call, session.accessToken), options);
    } catch (error) {
      if (session.refreshToken === null || !isInvalidSession(error)) throw error;
    }
    const renewed = await join(this.renew(session, options.context), options, call.operation);
    // The replay is the same read again, after a renewal the caller did not cause: not budgeted.
    return this.http.send(withBearer(call, renewed.accessToken), { ...options, budget: undefined });
  }

  private current(options: CallOptions, operation: string): Promise<Session> {
    const session = this.session;
    if (session !== null && this.now() < session.renewAt) return Promise.resolve(session);
    return join(this.renew(session, options.context), options, operation);
  }

  /**
   * Replaces `stale` (null: there is no session yet), unless another call already has. The renewal's
   * spans go in the trace of the call that started it.
   */
  private renew(stale: Session | null, context: CallContext | undefined): Promise<Session> {
    if (this.session !== null && this.session !== stale) return Promise.resolve(this.session);
    if (this.flight === null) {
      const flight = this.obtain(stale, context === undefined ? {} : { context: context.detached() }).then(
        (session) => {
          this.session = session;
          return session;
        },
      );
      this.flight = flight;
      // Also keeps a failure handled when every waiter has already given up on its deadline.
      const land = () => {
        if (this.flight === flight) this.flight = null;
      };
      flight.then(land, land);
    }
    return this.flight;
  }

  private async obtain(stale: Session | null, options: CallOptions): Promise<Session> {
    if (stale?.refreshToken) {
      const refreshed = await this.refresh(stale.refreshToken, options);
      if (refreshed !== null) return refreshed;
    }
    return this.login(options);
  }

  private async login(options: CallOptions): Promise<Session> {
    if ('accessToken' in this.credentials) {
      throw new UpstreamError({ provider: 'app-services', kind: 'unauthorized', operation: LOGIN_OPERATION });
    }
    const issuedAt = this.now();
    const response = await this.http.send(
      {
        method: 'POST',
        path: `${this.basePath}/auth/providers/mongodb-cloud/login`,
        operation: LOGIN_OPERATION,
        json: { username: this.credentials.publicApiKey, apiKey: this.credentials.privateApiKey },
        token: true,
        describeError: appServicesErrorFacts,
      },
      options,
    );
    const body = decode('app-services', LOGIN_OPERATION, WireLoginResponse, response.body);
    return this.sessionFor(body.access_token, body.refresh_token, issuedAt);
  }

  /** Null when the refresh token itself was refused (expired, revoked): the caller logs in again. */
  private async refresh(refreshToken: string, options: CallOptions): Promise<Session | null> {
    const issuedAt = this.now();
    const response = await this.http.send(
      {
        method: 'POST',
        path: `${this.basePath}/auth/session`,
        operation: REFRESH_OPERATION,
        headers: { authorization: `Bearer ${refreshToken}` },
        token: true,
        answers: [401],
        describeError: appServicesErrorFacts,
      },
      options,
    );
    if (response.status === 401) return null;
    const body = decode('app-services', REFRESH_OPERATION, WireSessionResponse, response.body);
    return this.sessionFor(body.access_token, refreshToken, issuedAt);
  }

  private sessionFor(accessToken: string, refreshToken: string, issuedAt: number): Session {
    let expiresAt = issuedAt + this.lifetimeMs;
    const jwtExpiry = jwtExpiryMs(accessToken);
    // An `exp` at or before our own clock's issue time says more about clock skew than the token.
    if (jwtExpiry !== null && jwtExpiry > issuedAt) expiresAt = Math.min(expiresAt, jwtExpiry);
    return { accessToken, refreshToken, renewAt: expiresAt - (expiresAt - issuedAt) / 6 };
  }
}

/** The `exp` claim of a JWT access token in ms, or null when the token is opaque. Not verified: a hint only. */
export function jwtExpiryMs(token: string): number | null {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[1] === undefined) return null;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    const exp = (payload as { exp?: unknown } | null)?.exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : null;
  } catch {
    return null;
  }
}

function isInvalidSession(error: unknown): boolean {
  return error instanceof UpstreamError && error.status === 401 && error.providerCode === INVALID_SESSION;
}

function withBearer(call: HttpCall, token: string): HttpCall {
  return { ...call, headers: { ...call.headers, authorization: `Bearer ${token}` } };
}

/** Waits for a shared renewal under this caller's own deadline, without cancelling it for the others. */
function join<T>(shared: Promise<T>, options: CallOptions, operation: string): Promise<T> {
  const signal = options.signal;
  if (signal === undefined) return shared;
  const deadline = () =>
    new UpstreamError({
      provider: 'app-services',
      kind: 'timeout',
      operation,
      detail: 'request deadline passed',
    });
  if (signal.aborted) return Promise.reject(deadline());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(deadline());
    signal.addEventListener('abort', onAbort, { once: true });
    shared.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
