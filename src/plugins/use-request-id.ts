import { randomUUID } from 'node:crypto';
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
    onResponse({ response, serverContext }) {
      if (serverContext.requestId !== undefined)
        response.headers.set('x-request-id', serverContext.requestId);
    },
  };
}
