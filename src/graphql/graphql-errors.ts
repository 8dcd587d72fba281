import { GraphQLError } from 'graphql';
import { maskError as yogaMaskError } from 'graphql-yoga';
import { codeFor, DirectoryFailure, publicDirectoryError } from '../codes/failure-codes.js';
import { CODE, PUBLIC_CODES, type PublicCode, type RefusalCode } from '../codes/public-codes.js';

/**
 * An expected outcome's error, without a stack: it is answered, never debugged, and a stack is the
 * dearest part of an error (captured here, formatted again by every error that wraps it) when a request
 * refuses hundreds of list entries.
 */
export function outcome(message: string, extensions: Record<string, unknown>): GraphQLError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new GraphQLError(message, { extensions });
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * An error answered to the caller, coded (public-codes.ts). A request it refuses whole is answered with
 * the code's status (plugins/use-request-id.ts); `extensions.http` (Yoga's, never sent) may add headers.
 */
export function publicError(
  code: PublicCode,
  message: string,
  extensions: Record<string, unknown> = {},
  nodes?: GraphQLError['nodes'],
): GraphQLError {
  if (nodes === undefined) return outcome(message, { code, ...extensions });
  return new GraphQLError(message, { nodes, extensions: { code, ...extensions } });
}

/** The body of a request refused before GraphQL runs: GraphQL's error shape, coded. */
export function refusalBody(
  code: RefusalCode,
  message: string,
  extensions: Record<string, unknown> = {},
): string {
  return JSON.stringify({ errors: [{ message, extensions: { code, ...extensions } }] });
}

/** A request refused before GraphQL runs, with its code's status unless `status` says otherwise (405). */
export function refusalResponse(
  fetchAPI: { Response: typeof Response },
  code: RefusalCode,
  message: string,
  extensions: Record<string, unknown> = {},
  options: { readonly status?: number; readonly headers?: Record<string, string> } = {},
): Response {
  return new fetchAPI.Response(refusalBody(code, message, extensions), {
    status: options.status ?? PUBLIC_CODES[code].status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...options.headers },
  });
}

/** A client mistake: says what was wrong and where. */
export function badUserInput(message: string, argument?: string): GraphQLError {
  return outcome(
    message,
    argument === undefined ? { code: CODE.BAD_USER_INPUT } : { code: CODE.BAD_USER_INPUT, argument },
  );
}

/** The caller may not read this: the scope it lacks, or the directory it was not granted. */
export function forbidden(scope: string, directory?: string): GraphQLError {
  if (directory !== undefined) {
    return outcome(`Not allowed to read directory "${directory}".`, { code: CODE.FORBIDDEN, directory });
  }
  return outcome(
    scope === '' ? 'Not allowed to read this field.' : `Not allowed: this field needs the scope "${scope}".`,
    scope === '' ? { code: CODE.FORBIDDEN } : { code: CODE.FORBIDDEN, scope },
  );
}

/**
 * Yoga's error masking: directory failures become coded errors; errors we raised on purpose (with a
 * code) pass through; everything else is masked, even in development, so no upstream detail leaks.
 */
export function maskError(error: unknown, message: string): Error {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (original instanceof DirectoryFailure && error instanceof GraphQLError) {
    const { message: publicMessage, extensions } = publicDirectoryError(original);
    return new GraphQLError(publicMessage, {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      path: error.path,
      extensions,
    });
  }
  // Ours, thrown on purpose: either the located error itself or the one it wraps carries a code.
  if (error instanceof GraphQLError && typeof error.extensions.code === 'string') {
    if (original === undefined || original === null || original instanceof GraphQLError) return error;
  }
  return yogaMaskError(error, message, false);
}

/**
 * The `extensions.code` a caller will see for an error not yet masked (metrics count errors as
 * execution ends, before Yoga masks them): a directory failure's code, ours, or what masking gives the
 * rest.
 */
export function publicCode(error: Error): string {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (original instanceof DirectoryFailure) return codeFor(original.cause);
  const code = (error as GraphQLError).extensions?.code;
  return typeof code === 'string' ? code : CODE.INTERNAL_SERVER_ERROR;
}

/**
 * What a processed result answered, for the access log and the request's span: the distinct error
 * codes (a batched request's results together) and whether any data came with them.
 */
export function answered(result: unknown): { readonly codes: readonly string[]; readonly data: boolean } {
  const codes = new Set<string>();
  let data = false;
  for (const one of Array.isArray(result) ? result : [result]) {
    if (one === null || typeof one !== 'object' || Symbol.asyncIterator in one) continue;
    const { data: answer, errors } = one as { data?: unknown; errors?: readonly GraphQLError[] };
    if (answer != null) data = true;
    for (const error of errors ?? []) {
      const code = error.extensions?.code;
      codes.add(typeof code === 'string' ? code : 'UNCODED');
    }
  }
  return { codes: [...codes], data };
}
