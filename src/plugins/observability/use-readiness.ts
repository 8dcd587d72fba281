import { type Plugin, useReadinessCheck } from 'graphql-yoga';
import type { Authenticator } from '../../auth/authenticator.js';
import { isFailure } from '../../auth/failure.js';
import type { DirectoryHealth } from '../../directory/port.js';
import type { DirectoryRegistry } from '../../directory/registry.js';

/** Whether this process serves: set by the process (main.ts) as it starts listening and as it drains. */
export interface ServingState {
  draining: boolean;
}

export interface Readiness {
  /** True while this process serves (started, configured, listening, not draining); never about directories. */
  readonly ready: boolean;
  /** Said while the process drains (after SIGTERM): still answering, about to stop. */
  readonly draining?: true;
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

/** Every directory's health, for the readiness detail (and `Directory.health`'s sources). */
export function directoryHealth(registry: DirectoryRegistry): NonNullable<Readiness['directories']> {
  return registry.providers.map((directory) => ({
    name: directory.name,
    provider: directory.provider,
    ...(directory.health?.() ?? UNMONITORED),
  }));
}

/**
 * `GET /readiness` (Yoga's readiness check): 200 while this process serves, 503 once it drains. Never
 * about the directories: with one directory, a rejected credential or an open circuit would take every
 * replica out of the load balancer, and callers would get connection errors instead of the coded errors
 * that say which directory failed and why (a DOWN directory recovers by itself: recovery-probe.ts). The
 * per-directory detail is for callers with `directories:health` (everyone when authentication is off);
 * anonymous callers, such as a load balancer's probe, learn only ready or not.
 */
export function useReadiness(
  registry: DirectoryRegistry,
  authenticator: Authenticator | null,
  serving: ServingState = { draining: false },
  endpoint = '/readiness',
): Plugin {
  const plugin = useReadinessCheck({
    endpoint,
    check: async ({ request, fetchAPI }) => {
      const ready = !serving.draining;
      const report: Readiness = {
        ready,
        ...(ready ? {} : { draining: true as const }),
        directories: directoryHealth(registry),
      };
      let body: Readiness = { ready, ...(ready ? {} : { draining: true as const }) };
      if (authenticator === null) body = { ...report, warning: AUTH_OFF_WARNING };
      else if (request.headers.has('authorization') || request.headers.has('x-api-key')) {
        const principal = await authenticator.authenticate(request.headers);
        if (!isFailure(principal) && principal.scopes.has('directories:health')) body = report;
      }
      return new fetchAPI.Response(JSON.stringify(body), {
        status: ready ? 200 : 503,
        headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
      });
    },
  });
  // Yoga's check also matches every request's URL against a URLPattern (a polyfill); only requests for
  // the endpoint reach it here.
  const onRequest = plugin.onRequest;
  return {
    ...plugin,
    onRequest: (payload) => (payload.url.pathname === endpoint ? onRequest?.(payload) : undefined),
  };
}
