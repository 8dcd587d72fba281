import type { ProviderKind } from './model.js';

// What a directory can fail with, as the port reports it. The status rule that builds an
// UpstreamError from an HTTP answer, and the table that turns each of these into a public code, are in
// src/errors.ts.

/** What went wrong upstream, independent of which provider said it. */
export type UpstreamErrorKind =
  | 'unauthorized' // 401: bad or missing credentials
  | 'forbidden' // 403: credentials lack the rights
  | 'plan_required' // 402: the directory's plan does not include this (MonoCloud sessions)
  | 'not_found' // 404 for something other than a looked-up user (a bad group/app id, say)
  | 'bad_request' // other 4xx: usergraph sent something the provider refused
  | 'rate_limited' // 429
  | 'unavailable' // 5xx, connection refused or reset
  | 'timeout' // the provider did not answer within the per-call bound, or the caller's deadline passed
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
  /** The provider's parsed error body as its parser keeps it (for tests and debugging; never shown). */
  readonly problem?: unknown;
  /** Whether sending the same call again may succeed (the status rule decides; default by kind). */
  readonly retryable?: boolean;
  /**
   * The caller ended the call (its deadline passed or its client went away) or it never left the
   * process: it says nothing about the provider's health.
   */
  readonly callerCaused?: boolean;
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
  readonly callerCaused: boolean;
  readonly problem: unknown;

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
    this.callerCaused = init.callerCaused ?? false;
    this.problem = init.problem ?? null;
    this.retryable =
      !this.callerCaused &&
      (init.retryable ??
        (init.kind === 'rate_limited' || init.kind === 'unavailable' || init.kind === 'timeout'));
  }
}

/** 401/403: the credentials are wrong for every key of a batch, not just one. */
export function isCredentialsError(error: unknown): error is UpstreamError {
  return error instanceof UpstreamError && (error.kind === 'unauthorized' || error.kind === 'forbidden');
}

/** The argument of a page request a caller got wrong. */
export type PageArgument = 'after' | 'filter' | 'first';

/**
 * A page request no provider could honour: a cursor for another listing, a limit or budget out of
 * range, a filter value that is not what it claims to be. It names the argument, and the GraphQL layer
 * turns it into BAD_USER_INPUT on that argument.
 */
export class InvalidPageRequest extends Error {
  override readonly name = 'InvalidPageRequest';
  constructor(
    message: string,
    readonly argument: PageArgument,
  ) {
    super(message);
  }
}

/**
 * A lookup that had to scan a directory (no native query for it) and stopped at its page budget
 * before the end: the keys it could not settle get this instead of a silent "not found".
 */
export class ScanBudgetExhaustedError extends Error {
  override readonly name = 'ScanBudgetExhaustedError';
  constructor(
    readonly directory: string,
    readonly pagesScanned: number,
  ) {
    super(`directory ${directory}: gave up after scanning ${pagesScanned} pages without reaching the end`);
  }
}

/**
 * A call the operation's upstream-call budget did not allow (src/cost/): never sent. The operation's
 * own size is at fault, not the directory.
 */
export class BudgetExceededError extends Error {
  override readonly name = 'BudgetExceededError';
  constructor(readonly directory: string) {
    super(`directory ${directory}: the operation has used its upstream-call budget`);
  }
}

/**
 * A fact the directory cannot serve at all (App Services has no groups; a ZITADEL without the group
 * service): the field is null with UNSUPPORTED_BY_PROVIDER, never an empty list.
 */
export class UnsupportedError extends Error {
  override readonly name = 'UnsupportedError';
  constructor(
    readonly directory: string,
    readonly feature: string,
    readonly reason: string,
  ) {
    super(`directory ${directory}: ${feature} unsupported (${reason})`);
  }
}

/** A change-feed position the directory can no longer resume from (its history before it is gone). */
export class ChangesExpiredError extends Error {
  override readonly name = 'ChangesExpiredError';
  constructor(
    readonly directory: string,
    /** Where the feed goes on from: the present end of the directory's history. */
    readonly restart: import('./change-model.js').ChangePosition,
  ) {
    super(`directory ${directory}: the change history at this cursor is no longer available`);
  }
}

/** Every failure of a directory call as an Error (a thrown non-Error is wrapped). */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
