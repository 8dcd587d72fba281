import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { CODE, ERRORS_PER_FIELD, ERRORS_PER_RESPONSE, refusalStatus } from '../../codes/public-codes.js';

/** What node:http and the plugins share per request (Yoga's server context). */
export interface RequestIdContext {
  requestId?: string;
}

/** A caller's own id is kept when it is a plain token of reasonable length; anything else is replaced. */
const ACCEPTED = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Every request gets an id: the caller's `x-request-id` when sane, else a fresh UUID. It is returned
 * as the `x-request-id` response header and is what the audit log and the logs key on.
 */
export function useRequestId(): Plugin<object, RequestIdContext> {
  return {
    onRequest({ request, serverContext }) {
      const given = request.headers.get('x-request-id');
      serverContext.requestId = given !== null && ACCEPTED.test(given) ? given : randomUUID();
    },
    // Errors carry it as `extensions.requestId`, so a caller can quote the one id that finds the
    // request's log lines; and there are at most ERRORS_PER_FIELD per field and ERRORS_PER_RESPONSE in
    // all, the rest counted in one summary error. Each kept error is made anew once, here (Yoga caches
    // validation errors per document and shares them, so they are never changed in place).
    onResultProcess({ result, setResult, serverContext }) {
      const id = serverContext.requestId;
      if (id === undefined) return;
      if (Array.isArray(result)) setResult(result.map((one) => shaped(one, id)));
      else if (!(Symbol.asyncIterator in result)) setResult(shaped(result, id));
    },
    onResponse({ response, serverContext }) {
      if (serverContext.requestId !== undefined)
        response.headers.set('x-request-id', serverContext.requestId);
    },
  };
}

/** Fields the summary names, with how many errors each lost. */
const FIELDS_NAMED = 20;

function shaped<R extends { data?: unknown; errors?: readonly GraphQLError[] }>(
  result: R,
  requestId: string,
): R {
  const errors = result.errors;
  if (errors === undefined || errors.length === 0) return result;
  // No data at all: the request was refused, and its status is the refusal's (public-codes.ts).
  const refused = result.data === undefined || result.data === null;
  const keptPerField = new Map<string, number>();
  const omittedPerField = new Map<string, number>();
  const omittedCodes = new Map<string, number>();
  const kept: GraphQLError[] = [];
  for (const error of errors) {
    const field = fieldOf(error.path);
    const sofar = keptPerField.get(field) ?? 0;
    if (sofar < ERRORS_PER_FIELD && kept.length < ERRORS_PER_RESPONSE) {
      keptPerField.set(field, sofar + 1);
      kept.push(finished(error, requestId, refused));
      continue;
    }
    omittedPerField.set(field, (omittedPerField.get(field) ?? 0) + 1);
    const code =
      typeof error.extensions?.code === 'string' ? error.extensions.code : CODE.INTERNAL_SERVER_ERROR;
    omittedCodes.set(code, (omittedCodes.get(code) ?? 0) + 1);
  }
  if (omittedPerField.size > 0) {
    const omitted = errors.length - kept.length;
    kept.push(
      new GraphQLError(
        `${omitted} more errors are left out of this response (at most ${ERRORS_PER_FIELD} per field and ${ERRORS_PER_RESPONSE} in all are shown).`,
        {
          extensions: {
            code: CODE.ERRORS_TRUNCATED,
            omitted,
            codes: Object.fromEntries(omittedCodes),
            fields: Object.fromEntries([...omittedPerField].slice(0, FIELDS_NAMED)),
            requestId,
          },
        },
      ),
    );
  }
  return { ...result, errors: kept };
}

/** A field's place in the answer without list positions: `nodes`, `users.nodes.emails`; '' for none. */
function fieldOf(path: GraphQLError['path']): string {
  if (path === undefined) return '';
  let field = '';
  for (const part of path) {
    if (typeof part === 'number') continue;
    field = field === '' ? part : `${field}.${part}`;
  }
  // Aliases are the caller's: a summary quotes a field's place up to 128 characters.
  return field.length > 128 ? `${field.slice(0, 128)}…` : field;
}

/** The error as it is answered: with the request id and, for a refusal, the refusal's own HTTP status. */
function finished(error: GraphQLError, requestId: string, refused: boolean): GraphQLError {
  const status = refused ? refusalStatus(error.extensions?.code) : undefined;
  const http =
    status === undefined ? {} : { http: { ...(error.extensions?.http as object), status, spec: false } };
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, ...http, requestId },
  });
}
