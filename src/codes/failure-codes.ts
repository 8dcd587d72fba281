import {
  BudgetExceededError,
  ChangesExpiredError,
  InvalidPageRequest,
  ScanBudgetExhaustedError,
  UnsupportedError,
  UpstreamError,
  type UpstreamErrorKind,
} from '../directory/failures.js';
import type { ProviderKind } from '../directory/model.js';
import { CODE } from './public-codes.js';

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

/** The public codes a directory call can fail with (public-codes.ts has them all). */
const DIRECTORY_CODES = [
  CODE.BAD_USER_INPUT,
  CODE.DIRECTORY_UNAUTHORIZED,
  CODE.DIRECTORY_FORBIDDEN,
  CODE.PLAN_REQUIRED,
  CODE.UNSUPPORTED_BY_PROVIDER,
  CODE.CHANGES_EXPIRED,
  CODE.DIRECTORY_RATE_LIMITED,
  CODE.DIRECTORY_TIMEOUT,
  CODE.DIRECTORY_UNAVAILABLE,
  CODE.DIRECTORY_BAD_RESPONSE,
  CODE.DIRECTORY_ERROR,
  CODE.SCAN_BUDGET_EXHAUSTED,
  CODE.OPERATION_TOO_EXPENSIVE,
] as const;

export type ErrorCode = (typeof DIRECTORY_CODES)[number];

const CODE_FOR_KIND: Readonly<Record<UpstreamErrorKind, ErrorCode>> = {
  unauthorized: CODE.DIRECTORY_UNAUTHORIZED,
  // A 403 is not a bad credential: the credential works but lacks a role this read needs.
  forbidden: CODE.DIRECTORY_FORBIDDEN,
  plan_required: CODE.PLAN_REQUIRED,
  rate_limited: CODE.DIRECTORY_RATE_LIMITED,
  timeout: CODE.DIRECTORY_TIMEOUT,
  unavailable: CODE.DIRECTORY_UNAVAILABLE,
  bad_response: CODE.DIRECTORY_BAD_RESPONSE,
  not_found: CODE.DIRECTORY_ERROR,
  bad_request: CODE.DIRECTORY_ERROR,
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

export interface PublicDirectoryError {
  readonly message: string;
  readonly extensions: Readonly<Record<string, unknown>>;
}

/** What one class of failure becomes: its code, and what the client is told (the code is added). */
interface FailureRow<E extends Error> {
  readonly type: abstract new (...args: never[]) => E;
  code(error: E): ErrorCode;
  answer(error: E, directory: string): PublicDirectoryError;
}

const row = <E extends Error>(failure: FailureRow<E>) => failure as unknown as FailureRow<Error>;

/**
 * Every failure a directory call can raise, by class: its public code (health reports use it too) and
 * what a client sees, facts that carry no secret (never the upstream's credentials, headers or raw
 * body). Anything else is DIRECTORY_ERROR, "failed unexpectedly".
 */
const FAILURES: readonly FailureRow<Error>[] = [
  row({
    type: UpstreamError,
    code: (error) => CODE_FOR_KIND[error.kind],
    answer: (error, directory) => {
      const extensions: Record<string, unknown> = { directory, provider: error.provider };
      if (error.status !== null) extensions.upstreamStatus = error.status;
      if (error.retryAfterMs !== null) extensions.retryAfter = Math.ceil(error.retryAfterMs / 1000);
      return {
        message: `Directory "${directory}" (${error.provider}) ${PUBLIC_REASON[error.kind]}.`,
        extensions,
      };
    },
  }),
  row({
    type: ScanBudgetExhaustedError,
    code: () => CODE.SCAN_BUDGET_EXHAUSTED,
    answer: (error, directory) => ({
      message: `Directory "${directory}" stopped scanning at its budget of ${error.pagesScanned} pages before it could settle this lookup.`,
      extensions: { directory, pagesScanned: error.pagesScanned },
    }),
  }),
  row({
    type: InvalidPageRequest,
    // The caller's mistake, not the directory's.
    code: () => CODE.BAD_USER_INPUT,
    answer: (error) => ({
      message: `Argument "${error.argument}" was refused: ${error.message}`,
      extensions: { argument: error.argument },
    }),
  }),
  row({
    type: BudgetExceededError,
    code: () => CODE.OPERATION_TOO_EXPENSIVE,
    answer: (_error, directory) => ({
      message: `The operation used every upstream call its estimate allowed for directory "${directory}"; this field was not read.`,
      extensions: { directory },
    }),
  }),
  row({
    type: UnsupportedError,
    code: () => CODE.UNSUPPORTED_BY_PROVIDER,
    answer: (error, directory) => ({
      message: `Directory "${directory}" cannot serve ${error.feature}: ${error.reason}.`,
      extensions: { directory, feature: error.feature },
    }),
  }),
  row({
    type: ChangesExpiredError,
    code: () => CODE.CHANGES_EXPIRED,
    answer: (_error, directory) => ({
      message: `Directory "${directory}" no longer holds the changes at this cursor; start a fresh scan with \`since\` and reconcile.`,
      extensions: { directory },
    }),
  }),
];

function rowFor(error: unknown): FailureRow<Error> | undefined {
  for (const failure of FAILURES) if (error instanceof failure.type) return failure;
  return undefined;
}

/** The public code of anything a directory call can fail with. */
export function codeFor(error: unknown): ErrorCode {
  return rowFor(error)?.code(error as Error) ?? CODE.DIRECTORY_ERROR;
}

/** The one place a directory's failure becomes what a client sees. */
export function publicDirectoryError(failure: DirectoryFailure): PublicDirectoryError {
  const { cause, directory } = failure;
  const found = rowFor(cause);
  if (found === undefined) {
    return {
      message: `Directory "${directory}" failed unexpectedly.`,
      extensions: { code: CODE.DIRECTORY_ERROR, directory },
    };
  }
  const { message, extensions } = found.answer(cause, directory);
  return { message, extensions: { code: found.code(cause), ...extensions } };
}
