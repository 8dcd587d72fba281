import {
  BudgetExceededError,
  ChangesExpiredError,
  InvalidPageRequest,
  ScanBudgetExhaustedError,
  UnsupportedError,
  UpstreamError,
  type UpstreamErrorKind,
} from './directory/failures.js';
import type { ProviderKind } from './directory/model.js';

// The one place upstream statuses are interpreted (the status rule) and the one table that turns
// every failure a directory can raise into what a client sees (the public codes).

/** What the status rule reads of an answer: its status and headers. */
export interface StatusAnswer {
  readonly status: number;
  header(name: string): string | null;
}

/** What a provider's error body said, as far as it is safe to keep (never request data or secrets). */
export interface ProviderErrorFacts {
  readonly providerCode?: string | null;
  readonly detail?: string | null;
  /** The parsed body, kept on the error for tests and debugging (never shown or logged). */
  readonly problem?: unknown;
}

/** Statuses worth sending the same read again for: the provider may answer differently next time. */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/**
 * The status rule: a non-2xx answer as an UpstreamError. Kind from the status; Retry-After (seconds or
 * an HTTP date) read on 429 and 503; retryable only for 408, 429, 500, 502, 503 and 504 (a 501 or 505
 * will not change on a second try). The provider's parsed code and safe detail ride along.
 */
export function upstreamErrorFor(
  provider: ProviderKind,
  operation: string,
  answer: StatusAnswer,
  facts: ProviderErrorFacts = {},
  now = Date.now(),
): UpstreamError {
  const { status } = answer;
  return new UpstreamError({
    provider,
    kind: kindForStatus(status),
    operation,
    status,
    providerCode: knownShape(facts.providerCode),
    detail: facts.detail ?? null,
    problem: facts.problem,
    retryAfterMs:
      status === 429 || status === 503 ? parseRetryAfter(answer.header('retry-after'), now) : null,
    retryable: RETRYABLE_STATUSES.has(status),
  });
}

/**
 * A provider's error identifier as usergraph keeps it (logs, spans): only when it looks like one, an
 * identifier or a problem-type URI of at most 100 characters with no spaces and no `@`. A title in
 * words, or text quoting the request (an address, a name), is dropped rather than logged.
 */
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_.:/#-]{0,99}$/;

function knownShape(code: string | null | undefined): string | null {
  return typeof code === 'string' && IDENTIFIER.test(code) ? code : null;
}

/** The kind a status means. */
function kindForStatus(status: number): UpstreamErrorKind {
  if (status === 401) return 'unauthorized';
  if (status === 402) return 'plan_required';
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

/** Public error codes of directory failures and page refusals, in `extensions.code`. */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'DIRECTORY_UNAUTHORIZED'
  | 'DIRECTORY_FORBIDDEN'
  | 'PLAN_REQUIRED'
  | 'UNSUPPORTED_BY_PROVIDER'
  | 'CHANGES_EXPIRED'
  | 'DIRECTORY_RATE_LIMITED'
  | 'DIRECTORY_TIMEOUT'
  | 'DIRECTORY_UNAVAILABLE'
  | 'DIRECTORY_BAD_RESPONSE'
  | 'DIRECTORY_ERROR'
  | 'SCAN_BUDGET_EXHAUSTED'
  | 'OPERATION_TOO_EXPENSIVE';

/** A scan that stopped at its page budget: an error on a lookup, a warning on a list page. */
export const SCAN_BUDGET_EXHAUSTED = 'SCAN_BUDGET_EXHAUSTED' satisfies ErrorCode;

const CODE_FOR_KIND: Readonly<Record<UpstreamErrorKind, ErrorCode>> = {
  unauthorized: 'DIRECTORY_UNAUTHORIZED',
  // A 403 is not a bad credential: the credential works but lacks a role this read needs.
  forbidden: 'DIRECTORY_FORBIDDEN',
  plan_required: 'PLAN_REQUIRED',
  rate_limited: 'DIRECTORY_RATE_LIMITED',
  timeout: 'DIRECTORY_TIMEOUT',
  unavailable: 'DIRECTORY_UNAVAILABLE',
  bad_response: 'DIRECTORY_BAD_RESPONSE',
  not_found: 'DIRECTORY_ERROR',
  bad_request: 'DIRECTORY_ERROR',
};

const PUBLIC_REASON: Readonly<Record<UpstreamErrorKind, string>> = {
  unauthorized: 'rejected usergraph’s credentials',
  forbidden: 'denied usergraph access: its credential lacks the role this read needs',
  plan_required: 'requires a higher plan for this read',
  rate_limited: 'is rate-limiting usergraph',
  timeout: 'did not answer in time',
  unavailable: 'is unavailable',
  bad_response: 'answered with a response that does not match its API contract',
  not_found: 'reported a configuration resource as missing',
  bad_request: 'refused the request',
};

/**
 * The public code of anything a directory call can fail with (health reports use it too):
 *
 * | failure                         | code                                   |
 * | ------------------------------- | -------------------------------------- |
 * | UpstreamError                   | DIRECTORY_* by kind (CODE_FOR_KIND)    |
 * | ScanBudgetExhaustedError        | SCAN_BUDGET_EXHAUSTED                  |
 * | InvalidPageRequest              | BAD_USER_INPUT (the caller's mistake)  |
 * | BudgetExceededError             | OPERATION_TOO_EXPENSIVE                |
 * | UnsupportedError                | UNSUPPORTED_BY_PROVIDER                |
 * | ChangesExpiredError             | CHANGES_EXPIRED                        |
 * | anything else                   | DIRECTORY_ERROR ("failed unexpectedly")|
 */
export function codeFor(error: unknown): ErrorCode {
  if (error instanceof UpstreamError) return CODE_FOR_KIND[error.kind];
  if (error instanceof ScanBudgetExhaustedError) return SCAN_BUDGET_EXHAUSTED;
  if (error instanceof InvalidPageRequest) return 'BAD_USER_INPUT';
  if (error instanceof BudgetExceededError) return 'OPERATION_TOO_EXPENSIVE';
  if (error instanceof UnsupportedError) return 'UNSUPPORTED_BY_PROVIDER';
  if (error instanceof ChangesExpiredError) return 'CHANGES_EXPIRED';
  return 'DIRECTORY_ERROR';
}

export interface PublicDirectoryError {
  readonly message: string;
  readonly extensions: Readonly<Record<string, unknown>>;
}

/**
 * The one place a directory's failure becomes what a client sees: a code, the directory, and facts that
 * carry no secret (never the upstream's credentials, headers or raw body).
 */
export function publicDirectoryError(failure: DirectoryFailure): PublicDirectoryError {
  const { cause, directory } = failure;
  const code = codeFor(cause);
  if (cause instanceof UpstreamError) {
    const extensions: Record<string, unknown> = { code, directory, provider: cause.provider };
    if (cause.status !== null) extensions.upstreamStatus = cause.status;
    if (cause.retryAfterMs !== null) extensions.retryAfter = Math.ceil(cause.retryAfterMs / 1000);
    return {
      message: `Directory "${directory}" (${cause.provider}) ${PUBLIC_REASON[cause.kind]}.`,
      extensions,
    };
  }
  if (cause instanceof ScanBudgetExhaustedError) {
    return {
      message: `Directory "${directory}" stopped scanning at its budget of ${cause.pagesScanned} pages before it could settle this lookup.`,
      extensions: { code, directory, pagesScanned: cause.pagesScanned },
    };
  }
  if (cause instanceof BudgetExceededError) {
    return {
      message: `The operation used every upstream call its estimate allowed for directory "${directory}"; this field was not read.`,
      extensions: { code, directory },
    };
  }
  if (cause instanceof UnsupportedError) {
    return {
      message: `Directory "${directory}" cannot serve ${cause.feature}: ${cause.reason}.`,
      extensions: { code, directory, feature: cause.feature },
    };
  }
  if (cause instanceof ChangesExpiredError) {
    return {
      message: `Directory "${directory}" no longer holds the changes at this cursor; start a fresh scan with \`since\` and reconcile.`,
      extensions: { code, directory },
    };
  }
  if (cause instanceof InvalidPageRequest) {
    return {
      message: `Argument "${cause.argument}" was refused: ${cause.message}`,
      extensions: { code, argument: cause.argument },
    };
  }
  return { message: `Directory "${directory}" failed unexpectedly.`, extensions: { code, directory } };
}
