import type { Plugin } from 'graphql-yoga';
import type { Authenticator } from '../../auth/authenticator.js';
import { isFailure } from '../../auth/failure.js';
import type { Metrics } from '../../observability/metrics.js';

/**
 * `GET /metrics` in Prometheus' text format. On the main port it is protected like the rest: with
 * authentication on, only a principal with `metrics:read` (a scraper's API key) gets it; a separate
 * metrics port (config `metrics.port`) serves it to whoever can reach that port.
 */
export function useMetricsEndpoint(
  metrics: Metrics,
  authenticator: Authenticator | null,
  path = '/metrics',
): Plugin {
  return {
    onRequest({ url, request, endResponse, fetchAPI }) {
      if (url.pathname !== path) return;
      const answer = async () => {
        if (authenticator !== null) {
          const principal = await authenticator.authenticate(request.headers);
          if (isFailure(principal) || !principal.scopes.has('metrics:read')) {
            return new fetchAPI.Response('metrics need a credential with the scope metrics:read\n', {
              status: isFailure(principal) ? 401 : 403,
              headers: {
                'content-type': 'text/plain; charset=utf-8',
                'www-authenticate': authenticator.schemes,
              },
            });
          }
        }
        return new fetchAPI.Response(await metrics.registry.metrics(), {
          headers: { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' },
        });
      };
      return answer().then(endResponse);
    },
  };
}
