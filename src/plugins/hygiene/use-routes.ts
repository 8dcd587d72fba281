import type { Plugin } from 'graphql-yoga';
import { CODE } from '../../codes/public-codes.js';
import { refusalResponse } from '../../graphql/graphql-errors.js';

/** Every path usergraph answers, exactly as written; anything else is 404 before any other work. */
export const ROUTES = {
  graphql: '/graphql',
  health: '/health',
  readiness: '/readiness',
  metrics: '/metrics',
  adminReload: '/admin/reload',
} as const;

const KNOWN: ReadonlySet<string> = new Set(Object.values(ROUTES));

/** Longest path quoted back in the 404 (the access log bounds it the same way). */
const SHOWN = 64;

/**
 * The one gate for routes. Yoga matches its endpoint with `endsWith` (so `/x/graphql`, `/graphql/` and
 * `/?a=/graphql` reach the GraphQL handler), and plugins that compare paths one by one can disagree
 * with it. Here the path is compared exactly, once: an unknown path is a coded 404, and every request
 * that passes is for one of `ROUTES`. The endpoint plugins (health, readiness, metrics) answer theirs
 * and end, so whatever reaches the plugins after them is a GraphQL request, with no path check of their
 * own to get wrong. `..` segments are resolved by URL parsing; case, doubled or encoded slashes and
 * trailing slashes are not, and are 404. Liveness (`/health`) is answered here, without Yoga's check,
 * which also matches by suffix.
 */
export function useRoutes(): Plugin {
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      const path = url.pathname;
      if (path === ROUTES.health) {
        endResponse(new fetchAPI.Response(null, { status: 200, headers: { 'cache-control': 'no-store' } }));
        return;
      }
      if (KNOWN.has(path)) return;
      const shown = path.length > SHOWN ? `${path.slice(0, SHOWN)}…` : path;
      endResponse(
        refusalResponse(
          fetchAPI,
          CODE.NOT_FOUND,
          `No such path: ${JSON.stringify(shown)}. GraphQL is served at ${ROUTES.graphql}.`,
        ),
      );
    },
  };
}

/** Yoga's own health check matches any URL ending in its endpoint; given one no URL can end with, it never answers. */
export const UNREACHABLE_ENDPOINT = '/health\u0000not-a-url';

/** True for the exact GraphQL path (GraphiQL is rendered there only). */
export function isGraphQLPath(request: Request): boolean {
  return new URL(request.url).pathname === ROUTES.graphql;
}
