import type { Plugin } from 'graphql-yoga';
import type { Authenticator } from '../../auth/authenticator.js';
import { isFailure } from '../../auth/failure.js';
import { CODE } from '../../codes/public-codes.js';
import { refusalResponse } from '../../graphql/graphql-errors.js';
import { ROUTES } from '../hygiene/use-routes.js';

export type ReloadOutcome =
  | { readonly ok: true; readonly changed: readonly string[] }
  | { readonly ok: false; readonly problems: readonly string[] };

/**
 * `POST /admin/reload` (config `http.adminReload`, off by default): reloads the config as SIGHUP does,
 * for a principal with the scope `admin:reload` (any caller when authentication is off). 200 with what
 * changed, or 400 with every problem of a config that was refused (paths and reasons; never values).
 */
export function useAdminReload(
  reload: () => Promise<ReloadOutcome>,
  authenticator: Authenticator | null,
): Plugin {
  return {
    onRequest({ url, request, endResponse, fetchAPI }) {
      if (url.pathname !== ROUTES.adminReload) return;
      const json = (status: number, body: unknown) =>
        new fetchAPI.Response(JSON.stringify(body), {
          status,
          headers: { 'content-type': 'application/json; charset=utf-8' },
        });
      const answer = async (): Promise<Response> => {
        if (request.method !== 'POST') {
          return refusalResponse(
            fetchAPI,
            CODE.BAD_REQUEST,
            'Use POST.',
            {},
            { status: 405, headers: { allow: 'POST' } },
          );
        }
        if (authenticator !== null) {
          const principal = await authenticator.authenticate(request.headers);
          if (isFailure(principal)) {
            return refusalResponse(
              fetchAPI,
              principal.status === 401 ? CODE.UNAUTHENTICATED : CODE.AUTH_UNAVAILABLE,
              principal.reason,
            );
          }
          if (!principal.scopes.has('admin:reload')) {
            return refusalResponse(fetchAPI, CODE.FORBIDDEN, 'Reloading needs the scope "admin:reload".', {
              scope: 'admin:reload',
            });
          }
        }
        const outcome = await reload();
        return outcome.ok
          ? json(200, { reloaded: true, changed: outcome.changed })
          : json(400, { reloaded: false, problems: outcome.problems });
      };
      return answer().then(endResponse);
    },
  };
}
