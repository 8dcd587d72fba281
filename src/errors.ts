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
