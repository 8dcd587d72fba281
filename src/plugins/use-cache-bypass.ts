import type { Plugin } from 'graphql-yoga';
import type { Principal } from '../auth/principal.js';
import { withCacheBypass } from '../cache/cached-provider.js';
import type { CallContext } from '../directory/call-context.js';

export interface CacheBypassContext {
  principal?: Principal;
  /** What the request's upstream calls carry (directory/call-context.ts). */
  calls?: CallContext;
}

export const CACHE_BYPASS_HEADER = 'x-usergraph-cache';

/**
 * `X-Usergraph-Cache: bypass` reads users from their directories even where the user cache holds them
 * (and refreshes it), for a caller granted `cache:bypass`; anyone else asking is refused (403), never
 * silently served from the cache. A custom header, not `Cache-Control`, which browsers send on reload.
 */
export function useCacheBypass(): Plugin<object, CacheBypassContext> {
  return {
    onRequest({ request, serverContext, endResponse, fetchAPI }) {
      const asked = request.headers.get(CACHE_BYPASS_HEADER);
      if (asked === null) return;
      const refuse = (status: number, message: string, extensions: Record<string, unknown>) =>
        endResponse(
          new fetchAPI.Response(JSON.stringify({ errors: [{ message, extensions }] }), {
            status,
            headers: { 'content-type': 'application/json; charset=utf-8' },
          }),
        );
      if (asked.trim().toLowerCase() !== 'bypass') {
        refuse(400, 'X-Usergraph-Cache takes one value: bypass.', {
          code: 'BAD_REQUEST',
          header: CACHE_BYPASS_HEADER,
        });
        return;
      }
      if (serverContext.principal?.scopes.has('cache:bypass') !== true) {
        refuse(403, 'Reading past the user cache needs the scope "cache:bypass".', {
          code: 'FORBIDDEN',
          scope: 'cache:bypass',
        });
        return;
      }
      serverContext.calls = withCacheBypass(serverContext.calls);
    },
  };
}
