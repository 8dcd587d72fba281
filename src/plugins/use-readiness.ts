import { type Plugin, useReadinessCheck } from 'graphql-yoga';
import type { DirectoryHealth } from '../directory/port.js';
import type { DirectoryRegistry } from '../directory/registry.js';

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

/** `GET /readiness` (Yoga's readiness check): 200 while at least one directory is up, else 503; JSON detail per directory. */
export function useReadiness(registry: DirectoryRegistry, endpoint = '/readiness'): Plugin {
  return useReadinessCheck({
    endpoint,
    check: ({ fetchAPI }) => {
      const report = readiness(registry);
      return new fetchAPI.Response(JSON.stringify(report), {
        status: report.ready ? 200 : 503,
        headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
      });
    },
  });
}
