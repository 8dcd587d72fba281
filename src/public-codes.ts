// The HTTP status of every refusal usergraph makes of a whole request, one per code, whatever the
// client's Accept header: a refused request is never answered 200. Codes of failures inside an answer
// (a directory's, a field's FORBIDDEN) leave the status to GraphQL over HTTP (200 with the data there is).
// Parse and validation errors keep GraphQL over HTTP's own rule (400, or 200 for application/json).

export const REFUSAL_STATUS = {
  BAD_REQUEST: 400,
  BAD_USER_INPUT: 400,
  QUERY_TOO_COMPLEX: 400,
  OPERATION_TOO_EXPENSIVE: 400,
  OPERATION_NOT_SUPPORTED: 400,
  PERSISTED_QUERY_NOT_FOUND: 400,
  PERSISTED_QUERY_REQUIRED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  AUTH_UNAVAILABLE: 503,
} as const;

export type RefusalCode = keyof typeof REFUSAL_STATUS;

export function refusalStatus(code: unknown): number | undefined {
  return typeof code === 'string' ? (REFUSAL_STATUS as Record<string, number>)[code] : undefined;
}

/** Errors answered per field (a list's items count as one field: `nodes.3` and `nodes.7` are `nodes`). */
export const ERRORS_PER_FIELD = 100;
/** Errors answered per response, the summary of the rest aside. */
export const ERRORS_PER_RESPONSE = 200;
