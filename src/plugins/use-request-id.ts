import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

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
    // request's log lines. New error objects: Yoga caches validation errors per document and shares them.
    onResultProcess({ result, setResult, serverContext }) {
      const id = serverContext.requestId;
      if (id === undefined) return;
      if (Array.isArray(result)) setResult(result.map((one) => withRequestId(one, id)));
      else if (!(Symbol.asyncIterator in result)) setResult(withRequestId(result, id));
    },
    onResponse({ response, serverContext }) {
      if (serverContext.requestId !== undefined)
        response.headers.set('x-request-id', serverContext.requestId);
    },
  };
}

function withRequestId<R extends { errors?: readonly GraphQLError[] }>(result: R, requestId: string): R {
  if (result.errors === undefined || result.errors.length === 0) return result;
  return {
    ...result,
    errors: result.errors.map(
      (error) =>
        new GraphQLError(error.message, {
          nodes: error.nodes,
          source: error.source,
          positions: error.positions,
          path: error.path,
          originalError: error.originalError,
          extensions: { ...error.extensions, requestId },
        }),
    ),
  };
}
