import type { Plugin } from 'graphql-yoga';
import { CODE } from '../../codes/public-codes.js';
import { refusalResponse } from '../../graphql/graphql-errors.js';

/**
 * What a GraphQL request may look like, so that no other web page can make an employee's browser read
 * the directory (CSRF): a POST with `Content-Type: application/json`, which a browser only sends
 * cross-origin after a CORS preflight this server refuses unless the origin is allowed. Form posts,
 * multipart and `text/plain` never execute. GET executes only when `allowGet` is set, and then without
 * the scopes that read personal data (context.ts).
 */
export function useRequestPolicy(options: { readonly allowGet: boolean }): Plugin {
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      if (request.method === 'POST') {
        const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
        if (type !== 'application/json') {
          endResponse(refusal(fetchAPI, 415, 'GraphQL requests must be POSTed as application/json.'));
        }
        return;
      }
      if (request.method === 'GET' && options.allowGet) return;
      endResponse(
        refusal(
          fetchAPI,
          405,
          options.allowGet
            ? 'Use POST (or GET for queries).'
            : 'Use POST with Content-Type: application/json.',
          options.allowGet ? 'GET, POST' : 'POST',
        ),
      );
    },
  };
}

function refusal(
  fetchAPI: { Response: typeof Response },
  status: number,
  message: string,
  allow?: string,
): Response {
  return refusalResponse(
    fetchAPI,
    CODE.BAD_REQUEST,
    message,
    {},
    {
      status,
      ...(allow === undefined ? {} : { headers: { allow } }),
    },
  );
}
