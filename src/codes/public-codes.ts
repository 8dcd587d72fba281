// Every code usergraph puts in `extensions.code`, in one list (as Apollo Server's errors/index.ts):
// what it means, and the HTTP status of the request when the code refuses it whole. A code inside an
// answer that has data (a directory's failure, a field's FORBIDDEN) leaves the status to GraphQL over
// HTTP (200 with the data there is); parse and validation errors keep that spec's own rule (400, or 200
// for application/json). docs/errors.md is written from this list (`npm run schema`).

interface CodeFacts {
  /** The status of a request this code refuses whole; null: never a whole-request refusal. */
  readonly status: number | null;
  readonly meaning: string;
}

export const PUBLIC_CODES = {
  // The request, refused before it runs
  BAD_REQUEST: { status: 400, meaning: 'The HTTP request is malformed: a header, the method, the body.' },
  BAD_USER_INPUT: {
    status: 400,
    meaning:
      'An argument or variable is wrong (a malformed id, a cursor of another listing); `extensions.argument` says which.',
  },
  QUERY_TOO_COMPLEX: {
    status: 400,
    meaning:
      'The document crosses a shape limit (depth, aliases, fields…); `limit`, `max` and `measured` say which.',
  },
  OPERATION_TOO_EXPENSIVE: {
    status: 400,
    meaning:
      'The operation would make more upstream calls than allowed; in an answer, a field its budget could not pay for.',
  },
  OPERATION_NOT_SUPPORTED: {
    status: 400,
    meaning: 'A mutation over GET, or a subscription asked for without `Accept: text/event-stream`.',
  },
  PERSISTED_QUERY_NOT_FOUND: { status: 400, meaning: 'A `documentId` no trusted-documents manifest holds.' },
  PERSISTED_QUERY_NOT_SUPPORTED: {
    status: 400,
    meaning: 'A hash without its text, where no trusted documents are configured: send the query text.',
  },
  PERSISTED_QUERY_REQUIRED: {
    status: 400,
    meaning: 'Trusted documents only: this caller must send a `documentId`, not a query text.',
  },
  GRAPHQL_PARSE_FAILED: { status: null, meaning: 'The query text does not parse.' },
  GRAPHQL_VALIDATION_FAILED: { status: null, meaning: 'The document is not valid against the schema.' },
  UNAUTHENTICATED: { status: 401, meaning: 'No credential, or one that did not verify.' },
  FORBIDDEN: {
    status: 403,
    meaning: 'The caller lacks a scope (`extensions.scope`) or was not granted a directory (`directory`).',
  },
  NOT_FOUND: { status: 404, meaning: 'No such route.' },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'The body is above `server.maxBodyBytes`.' },
  RATE_LIMITED: {
    status: 429,
    meaning: 'The caller used its quota (`retryAfter` seconds), or holds too many connections.',
  },
  AUTH_UNAVAILABLE: {
    status: 503,
    meaning: 'The token could not be checked: the identity provider’s keys or introspection did not answer.',
  },
  // A directory's failure, on the fields it affected; the other directories' data is answered
  DIRECTORY_UNAUTHORIZED: {
    status: null,
    meaning: 'The directory rejected usergraph’s credentials (upstream 401).',
  },
  DIRECTORY_FORBIDDEN: {
    status: null,
    meaning: 'The directory denied the read: its credential lacks a role (upstream 403).',
  },
  PLAN_REQUIRED: { status: null, meaning: 'The directory needs a higher plan for this read (upstream 402).' },
  UNSUPPORTED_BY_PROVIDER: {
    status: null,
    meaning: 'The directory cannot serve this fact (`extensions.feature`); never answered as empty.',
  },
  CHANGES_EXPIRED: {
    status: null,
    meaning: 'The directory’s history no longer reaches this change-feed cursor; start again with `since`.',
  },
  CHANGE_STREAM_UNAVAILABLE: {
    status: null,
    meaning:
      'The change streams (Redis) are unreachable: the subscription ends; resume with its last cursor.',
  },
  DIRECTORY_RATE_LIMITED: {
    status: null,
    meaning:
      'The directory is rate-limiting usergraph (upstream 429, or holding off as it asked); `retryAfter` s.',
  },
  DIRECTORY_TIMEOUT: {
    status: null,
    meaning:
      'The directory did not answer in time (upstream 408/504, the per-call bound, the request deadline).',
  },
  DIRECTORY_UNAVAILABLE: {
    status: null,
    meaning: 'Upstream 5xx, connection refused or reset, or the circuit is open.',
  },
  DIRECTORY_BAD_RESPONSE: {
    status: null,
    meaning: 'A 2xx answer whose body breaks the provider’s contract.',
  },
  DIRECTORY_ERROR: {
    status: null,
    meaning: 'Any other upstream 4xx, a configuration resource missing, or a failure nobody foresaw.',
  },
  SCAN_BUDGET_EXHAUSTED: {
    status: null,
    meaning:
      'A lookup stopped scanning at its page budget (`pagesScanned`); on a list page a warning in `extensions.warnings`.',
  },
  // Acting on people (mutations): in `userErrors` or an account's result, never a GraphQL error
  STEP_UP_REQUIRED: {
    status: 401,
    meaning:
      'A write needs a token issued within `auth.stepUpMaxAgeSeconds` (its `auth_time`); sign in again (RFC 9470).',
  },
  ACTION_LOG_UNAVAILABLE: {
    status: null,
    meaning: 'The action log (Redis) is unreachable: no write is made without its record.',
  },
  IDEMPOTENCY_KEY_REUSED: { status: null, meaning: 'The idempotency key was used for a different request.' },
  IDEMPOTENCY_KEY_IN_USE: { status: null, meaning: 'A request with this idempotency key is still running.' },
  CONFIRMATION_REQUIRED: { status: null, meaning: 'Deleting needs the account’s id repeated in `confirm`.' },
  ACCOUNT_NOT_FOUND: {
    status: null,
    meaning: 'No account matches (in the directories the caller may act on).',
  },
  NOT_SUSPENDED_BY_USERGRAPH: {
    status: null,
    meaning:
      'A resume leaves an account someone else suspended as it is (the action log says which are usergraph’s).',
  },
  TOO_MANY_ACCOUNTS: {
    status: null,
    meaning:
      'An action finds more accounts than one request acts on (10): name them by id, a few per request.',
  },
  SUSPEND_FIRST: { status: null, meaning: 'An account is deleted only once suspended.' },
  ACTION_NOT_CONFIRMED: {
    status: null,
    meaning: 'The directory accepted the writes, but the account does not read as wanted yet; ask again.',
  },
  // Managing webhooks: in `userErrors`
  WEBHOOK_NOT_FOUND: {
    status: null,
    meaning: 'No webhook with this id (among those the caller may manage).',
  },
  WEBHOOK_TARGET_REFUSED: {
    status: null,
    meaning:
      'The URL is not https, carries credentials, or points into a loopback, private or link-local network (webhooks.allowHttp, webhooks.allowPrivateNetworks).',
  },
  WEBHOOK_LIMIT_REACHED: {
    status: null,
    meaning: 'The cluster holds `webhooks.maxEndpoints` webhooks already.',
  },
  WEBHOOK_STORE_UNAVAILABLE: {
    status: null,
    meaning: 'Where webhooks are kept (Redis, or the change streams) is unreachable: nothing was changed.',
  },
  // About the answer itself
  CHANGE_HISTORY_TRUNCATED: {
    status: null,
    meaning: 'A warning: a directory’s change feed skipped events it no longer holds.',
  },
  ERRORS_TRUNCATED: {
    status: null,
    meaning: 'More errors than one answer shows; counted by `codes` and `fields`, `omitted` in all.',
  },
  INTERNAL_SERVER_ERROR: {
    status: null,
    meaning: 'Anything unexpected, masked: the logs hold it by request id.',
  },
} as const satisfies Readonly<Record<string, CodeFacts>>;

export type PublicCode = keyof typeof PUBLIC_CODES;

/** The codes by name, to write one without spelling it (`CODE.FORBIDDEN`). */
export const CODE = Object.fromEntries(Object.keys(PUBLIC_CODES).map((code) => [code, code])) as {
  readonly [K in PublicCode]: K;
};

/** The codes that may refuse a request whole. */
export type RefusalCode = {
  [K in PublicCode]: (typeof PUBLIC_CODES)[K]['status'] extends number ? K : never;
}[PublicCode];

/** The status of a request `code` refuses whole, if it is such a code. */
export function refusalStatus(code: unknown): number | undefined {
  if (typeof code !== 'string' || !Object.hasOwn(PUBLIC_CODES, code)) return undefined;
  return PUBLIC_CODES[code as PublicCode].status ?? undefined;
}

/** Errors answered per field (a list's items count as one field: `nodes.3` and `nodes.7` are `nodes`). */
export const ERRORS_PER_FIELD = 100;
/** Errors answered per response, the summary of the rest aside. */
export const ERRORS_PER_RESPONSE = 200;

/** docs/errors.md, written from the list. */
export function errorCodesReference(): string {
  const rows = Object.entries(PUBLIC_CODES).map(
    ([code, facts]) => `| \`${code}\` | ${facts.status ?? '—'} | ${facts.meaning.replaceAll('|', '\\|')} |`,
  );
  return [
    '# Error codes',
    '',
    '<!-- Written by `npm run schema` from src/public-codes.ts; do not edit. -->',
    '',
    'Every error usergraph answers carries one of these in `extensions.code`, and `extensions.requestId`.',
    'The status is that of a request the code refuses whole (no `data`); inside an answer that has data',
    'the status follows GraphQL over HTTP (200). A directory’s failure names `extensions.directory` and',
    '`provider`, and `upstreamStatus` when the directory answered; other directories’ data is still',
    'returned. No upstream credential, header or body ever reaches a response.',
    '',
    '| Code | Status | Meaning |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
