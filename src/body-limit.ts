import type { Plugin } from 'graphql-yoga';

/** Yoga's default limit. */
export const MAX_REQUEST_BODY_BYTES = 25_000_000;

const REFUSED: Readonly<Record<number, string>> = {
  400: 'Invalid Content-Length',
  411: 'Content-Length required',
  413: 'Request body too large',
};

/**
 * The request body limit, from the Content-Length header alone: node:http never reads a body past the
 * length it declares, so no byte counting is needed. A POST without one (a chunked upload) is refused
 * with 411, a longer one with 413.
 */
export function useDeclaredBodyLimit(limit = MAX_REQUEST_BODY_BYTES): Plugin {
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      if (request.method !== 'POST') return;
      const length = request.headers.get('content-length');
      const status =
        length === null ? 411 : !/^\d+$/.test(length) ? 400 : Number(length) > limit ? 413 : null;
      if (status === null) return;
      endResponse(
        new fetchAPI.Response(JSON.stringify({ errors: [{ message: REFUSED[status] }] }), {
          status,
          headers: { 'content-type': 'application/json; charset=utf-8' },
        }),
      );
    },
  };
}
