import type { Plugin } from 'graphql-yoga';
import type { Authenticator } from '../auth/authenticator.js';
import { isFailure } from '../auth/failure.js';
import { ROUTES } from './use-routes.js';

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
      const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
        new fetchAPI.Response(JSON.stringify(body), {
          status,
          headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
        });
      const answer = async (): Promise<Response> => {
        if (request.method !== 'POST') {
          return json(
            405,
            { errors: [{ message: 'Use POST.', extensions: { code: 'BAD_REQUEST' } }] },
            { allow: 'POST' },
          );
        }
        if (authenticator !== null) {
          const principal = await authenticator.authenticate(request.headers);
          if (isFailure(principal)) {
            return json(principal.status, {
              errors: [{ message: principal.reason, extensions: { code: 'UNAUTHENTICATED' } }],
            });
          }
          if (!principal.scopes.has('admin:reload')) {
            return json(403, {
              errors: [
                {
                  message: 'Reloading needs the scope "admin:reload".',
                  extensions: { code: 'FORBIDDEN', scope: 'admin:reload' },
                },
              ],
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
