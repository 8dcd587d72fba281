import { type Plugin, useReadinessCheck } from 'graphql-yoga';
import type { Authenticator } from '../auth/authenticator.js';
import { isFailure } from '../auth/failure.js';
import type { DirectoryHealth } from '../directory/port.js';
import type { DirectoryRegistry } from '../directory/registry.js';

export interface Readiness {
  /** True while at least one directory is not DOWN: usergraph can still answer with its data. */
  readonly ready: boolean;
  readonly directories?: readonly ({ readonly name: string; readonly provider: string } & DirectoryHealth)[];
  /** Said when authentication is off, so nobody runs that way by accident. */
  readonly warning?: string;
}

/** A directory built without a guard (tests' fakes) has nothing to report and counts as up. */
const UNMONITORED: DirectoryHealth = {
  state: 'UP',
  circuit: 'CLOSED',
  lastError: null,
  latency: { p50Ms: null, p95Ms: null, samples: 0 },
};

export const AUTH_OFF_WARNING =
  'authentication is off (auth.mode: none): anyone who can reach this port reads every directory';

export function readiness(registry: DirectoryRegistry): Required<Pick<Readiness, 'ready' | 'directories'>> {
  const directories = registry.providers.map((directory) => ({
    name: directory.name,
    provider: directory.provider,
    ...(directory.health?.() ?? UNMONITORED),
  }));
  return { ready: directories.some((directory) => directory.state !== 'DOWN'), directories };
}

/**
 * `GET /readiness` (Yoga's readiness check): 200 while at least one directory is up, else 503. The
 * per-directory detail is for callers with `directories:health` (everyone when authentication is off);
 * anonymous callers, such as a load balancer's probe, learn only ready or not.
 */
export function useReadiness(
  registry: DirectoryRegistry,
  authenticator: Authenticator | null,
  endpoint = '/readiness',
): Plugin {
  const plugin = useReadinessCheck({
    endpoint,
    check: async ({ request, fetchAPI }) => {
      const report = readiness(registry);
      let body: Readiness = { ready: report.ready };
      if (authenticator === null) body = { ...report, warning: AUTH_OFF_WARNING };
      else if (request.headers.has('authorization') || request.headers.has('x-api-key')) {
        const principal = await authenticator.authenticate(request.headers);
        if (!isFailure(principal) && principal.scopes.has('directories:health')) body = report;
      }
      return new fetchAPI.Response(JSON.stringify(body), {
        status: report.ready ? 200 : 503,
        headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
      });
    },
  });
  // Yoga's check also matches every request's URL against a URLPattern (a polyfill): ~1.5 µs of every
  // GraphQL request's CPU. Only requests for the endpoint reach it here.
  const onRequest = plugin.onRequest;
  return {
    ...plugin,
    onRequest: (payload) => (payload.url.pathname === endpoint ? onRequest?.(payload) : undefined),
  };
}
