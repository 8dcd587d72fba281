import type { Plugin } from 'graphql-yoga';
import type { DirectoryRegistry } from './directory/registry.js';
import type { DirectoryHealth } from './resilience/health.js';

export interface Readiness {
  /** True while at least one directory is not DOWN: usergraph can still answer with its data. */
  readonly ready: boolean;
  readonly directories: readonly ({ readonly name: string; readonly provider: string } & DirectoryHealth)[];
}

/** A directory built without a guard (tests' fakes) has nothing to report and counts as up. */
const UNMONITORED: DirectoryHealth = {
  state: 'UP',
  circuit: 'CLOSED',
  lastError: null,
  latency: { p50Ms: null, p95Ms: null, samples: 0 },
};

export function readiness(registry: DirectoryRegistry): Readiness {
  const directories = registry.providers.map((directory) => ({
    name: directory.name,
    provider: directory.provider,
    ...(directory.health?.() ?? UNMONITORED),
  }));
  return { ready: directories.some((directory) => directory.state !== 'DOWN'), directories };
}

/** `GET /readiness`: 200 while at least one directory is up, else 503; JSON detail per directory. */
export function useReadiness(registry: DirectoryRegistry, path = '/readiness'): Plugin {
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname !== path) return;
      const report = readiness(registry);
      endResponse(
        new fetchAPI.Response(JSON.stringify(report), {
          status: report.ready ? 200 : 503,
          headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
        }),
      );
    },
  };
}
