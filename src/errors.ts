import type { ProviderKind } from './directory/model.js';

/**
 * What went wrong upstream, independent of which provider said it. The GraphQL layer maps a kind
 * to a public error code in one place; nothing else interprets statuses.
 */
export type UpstreamErrorKind =
  | 'unauthorized' // 401: bad or missing credentials
  | 'forbidden' // 403: credentials lack the rights
  | 'not_found' // 404 for something other than a looked-up user (a bad group/app id, say)
  | 'bad_request' // other 4xx: usergraph sent something the provider refused
  | 'rate_limited' // 429
  | 'unavailable' // 5xx, connection refused or reset
  | 'timeout' // the deadline passed before the provider answered
  | 'bad_response'; // 2xx whose body is not what the contract promises

export interface UpstreamErrorInit {
  readonly provider: ProviderKind;
  readonly kind: UpstreamErrorKind;
  /** e.g. `GET /api/users/{id}`: the documented route, never a URL with credentials. */
  readonly operation: string;
  readonly status?: number | null;
  /** The provider's own error code (`InvalidSession`, a gRPC code, a problem `type`). */
  readonly providerCode?: string | null;
  /** A short provider message; callers pass text they know carries no secret. */
  readonly detail?: string | null;
  readonly retryAfterMs?: number | null;
  readonly cause?: unknown;
}

export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  readonly provider: ProviderKind;
  readonly kind: UpstreamErrorKind;
  readonly operation: string;
  readonly status: number | null;
  readonly providerCode: string | null;
  readonly retryable: boolean;
  readonly retryAfterMs: number | null;

  constructor(init: UpstreamErrorInit) {
    const status = init.status ?? null;
    const head = `${init.provider} ${init.operation}: ${init.kind}${status === null ? '' : ` (HTTP ${status})`}`;
    const tail = [init.providerCode, init.detail].filter(Boolean).join(': ');
    super(tail ? `${head}: ${tail}` : head, init.cause === undefined ? undefined : { cause: init.cause });
    this.provider = init.provider;
    this.kind = init.kind;
    this.operation = init.operation;
    this.status = status;
    this.providerCode = init.providerCode ?? null;
    this.retryAfterMs = init.retryAfterMs ?? null;
    this.retryable = init.kind === 'rate_limited' || init.kind === 'unavailable' || init.kind === 'timeout';
  }
}

/** The one mapping from an HTTP status to a kind. */
export function kindForStatus(status: number): UpstreamErrorKind {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 408 || status === 504) return 'timeout';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  return 'bad_request';
}

/** `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3), in ms from `now`; null if absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

/** An error from one directory, as the GraphQL layer sees it: which directory, and what went wrong. */
export class DirectoryFailure extends Error {
  override readonly name = 'DirectoryFailure';
  constructor(
    readonly directory: string,
    override readonly cause: Error,
  ) {
    super(`directory "${directory}": ${cause.message}`);
  }
}

/** Public error codes, in `extensions.code`. */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'DIRECTORY_UNAUTHORIZED'
  | 'DIRECTORY_RATE_LIMITED'
  | 'DIRECTORY_TIMEOUT'
  | 'DIRECTORY_UNAVAILABLE'
  | 'DIRECTORY_BAD_RESPONSE'
  | 'DIRECTORY_ERROR';

const CODE_FOR_KIND: Readonly<Record<UpstreamErrorKind, ErrorCode>> = {
  unauthorized: 'DIRECTORY_UNAUTHORIZED',
  forbidden: 'DIRECTORY_UNAUTHORIZED',
  rate_limited: 'DIRECTORY_RATE_LIMITED',
  timeout: 'DIRECTORY_TIMEOUT',
  unavailable: 'DIRECTORY_UNAVAILABLE',
  bad_response: 'DIRECTORY_BAD_RESPONSE',
  not_found: 'DIRECTORY_ERROR',
  bad_request: 'DIRECTORY_ERROR',
};

/** The public code for a kind (health reports use it too). */
export function codeForKind(kind: UpstreamErrorKind): ErrorCode {
  return CODE_FOR_KIND[kind];
}

const PUBLIC_REASON: Readonly<Record<UpstreamErrorKind, string>> = {
  unauthorized: 'rejected usergraph’s credentials',
  forbidden: 'denied usergraph access',
  rate_limited: 'is rate-limiting usergraph',
  timeout: 'did not answer in time',
  unavailable: 'is unavailable',
  bad_response: 'answered with a response that does not match its API contract',
  not_found: 'reported a configuration resource as missing',
  bad_request: 'refused the request',
};

export interface PublicDirectoryError {
  readonly message: string;
  readonly extensions: Readonly<Record<string, unknown>>;
}

/**
 * The one place an upstream failure becomes what a client sees: a code, the directory, and facts that
 * carry no secret (never the upstream's credentials, headers or raw body).
 */
export function publicDirectoryError(failure: DirectoryFailure): PublicDirectoryError {
  const cause = failure.cause;
  if (!(cause instanceof UpstreamError)) {
    return {
      message: `Directory "${failure.directory}" failed unexpectedly.`,
      extensions: { code: 'DIRECTORY_ERROR', directory: failure.directory },
    };
  }
  const extensions: Record<string, unknown> = {
    code: CODE_FOR_KIND[cause.kind],
    directory: failure.directory,
    provider: cause.provider,
  };
  if (cause.status !== null) extensions.upstreamStatus = cause.status;
  if (cause.retryAfterMs !== null) extensions.retryAfter = Math.ceil(cause.retryAfterMs / 1000);
  return {
    message: `Directory "${failure.directory}" (${cause.provider}) ${PUBLIC_REASON[cause.kind]}.`,
    extensions,
  };
}
