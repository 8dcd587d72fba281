import type { Plugin } from 'graphql-yoga';
import type { Principal } from '../../auth/principal.js';
import { withCacheBypass } from '../../cache/cached-provider.js';
import { CODE } from '../../codes/public-codes.js';
import type { CallContext } from '../../directory/call-context.js';
import { refusalResponse } from '../../graphql/graphql-errors.js';

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
      if (asked.trim().toLowerCase() !== 'bypass') {
        endResponse(
          refusalResponse(fetchAPI, CODE.BAD_REQUEST, 'X-Usergraph-Cache takes one value: bypass.', {
            header: CACHE_BYPASS_HEADER,
          }),
        );
        return;
      }
      if (serverContext.principal?.scopes.has('cache:bypass') !== true) {
        endResponse(
          refusalResponse(
            fetchAPI,
            CODE.FORBIDDEN,
            'Reading past the user cache needs the scope "cache:bypass".',
            { scope: 'cache:bypass' },
          ),
        );
        return;
      }
      serverContext.calls = withCacheBypass(serverContext.calls);
    },
  };
}
