import { handleMaybePromise } from '@whatwg-node/promise-helpers';
import type { Plugin } from 'graphql-yoga';
import type { Authenticator } from '../../auth/authenticator.js';
import { type AuthFailure, isFailure } from '../../auth/failure.js';
import { OPEN_PRINCIPAL, type Principal } from '../../auth/principal.js';
import { CODE } from '../../codes/public-codes.js';
import { refusalResponse } from '../../graphql/graphql-errors.js';

/**
 * Where the lane (src/server/graphql-lane.ts), which asks the authenticator before it reads a body, leaves
 * the principal it found, so the request is not authenticated twice. Only server code sets it: a symbol,
 * out of reach of anything a request carries.
 */
export const VERIFIED: unique symbol = Symbol('principal verified before the body was read');

export interface PrincipalContext {
  principal?: Principal;
  [VERIFIED]?: Principal;
}

/**
 * Authentication, before anything is parsed: every request that reaches it (the route gate and the
 * endpoints before it leave only GraphQL requests, use-routes.ts) proves who it is
 * (authenticator.ts), or gets 401 with `WWW-Authenticate` and an UNAUTHENTICATED error naming the check
 * that failed (503 AUTH_UNAVAILABLE when the issuer's keys cannot be fetched). The principal rides on
 * Yoga's server context into the GraphQL context. Without an authenticator (`auth.mode: none`, demo
 * mode) everyone is the open principal.
 */
export function useAuth(authenticator: Authenticator | null): Plugin<object, PrincipalContext> {
  return {
    onRequest({ request, serverContext, endResponse, fetchAPI }) {
      if (authenticator === null) {
        serverContext.principal = OPEN_PRINCIPAL;
        return;
      }
      const verified = serverContext[VERIFIED];
      if (verified !== undefined) {
        serverContext.principal = verified;
        return;
      }
      const settle = (result: Principal | AuthFailure) => {
        if (isFailure(result))
          endResponse(unauthenticated(fetchAPI, result, request.headers, authenticator.schemes));
        else serverContext.principal = result;
      };
      return handleMaybePromise(() => authenticator.authenticate(request.headers), settle);
    },
  };
}

function unauthenticated(
  fetchAPI: { Response: typeof Response },
  failure: AuthFailure,
  headers: Headers,
  schemes: string,
): Response {
  const presented = headers.has('authorization') || headers.has('x-api-key');
  const code = failure.status === 401 ? CODE.UNAUTHENTICATED : CODE.AUTH_UNAVAILABLE;
  const message =
    failure.status === 401
      ? `Not authenticated: ${failure.reason}.`
      : `Cannot check credentials now: ${failure.reason}.`;
  return refusalResponse(
    fetchAPI,
    code,
    message,
    { reason: failure.reason },
    {
      status: failure.status,
      headers: {
        ...(failure.status === 401
          ? {
              'www-authenticate': presented
                ? `${schemes}, error="invalid_token", error_description="${failure.reason.replace(/["\\]/g, '')}"`
                : schemes,
            }
          : { 'retry-after': '5' }),
      },
    },
  );
}
