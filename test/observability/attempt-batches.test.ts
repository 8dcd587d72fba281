import fc from 'fast-check';
import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { Metrics, SECONDS } from '../../src/observability/metrics.js';
import type { AttemptOutcome } from '../../src/resilience/observer.js';

// The upstream-attempt metrics are fed to prom-client in batches (src/observability/attempt-batches.ts):
// whatever the attempts and whenever the registry is read, it must read exactly what prom-client fed
// attempt by attempt reads.

const OUTCOMES: AttemptOutcome[] = ['2xx', '3xx', '4xx', '5xx', 'timeout', 'network', 'aborted'];
const DIRECTORIES = [
  ['acme', 'monocloud'],
  ['corp', 'zitadel'],
  ['mobile', 'app-services'],
] as const;
const ROUTES = ['GET /api/users/{id}', 'POST /v2/users', 'POST /login'];
const NAMES = [
  'usergraph_upstream_requests_total',
  'usergraph_upstream_request_duration_seconds',
  'usergraph_token_renewals_total',
];

/** prom-client fed attempt by attempt, as before batches. */
function reference() {
  const registry = new Registry();
  const requests = new Counter({
    name: NAMES[0] as string,
    help: 'h',
    labelNames: ['directory', 'provider', 'route', 'outcome'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: NAMES[1] as string,
    help: 'h',
    labelNames: ['directory', 'provider', 'route'],
    buckets: SECONDS,
    registers: [registry],
  });
  const tokens = new Counter({
    name: NAMES[2] as string,
    help: 'h',
    labelNames: ['directory', 'provider', 'route', 'outcome'],
    registers: [registry],
  });
  return {
    registry,
    attempt(
      directory: string,
      provider: string,
      route: string,
      outcome: string,
      seconds: number,
      token: boolean,
    ) {
      requests.inc({ directory, provider, route, outcome });
      duration.observe({ directory, provider, route }, seconds);
      if (token) tokens.inc({ directory, provider, route, outcome });
    },
  };
}

/** A metric's values, in an order that does not depend on when series appeared. */
async function valuesOf(registry: Registry, name: string): Promise<string[]> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no ${name}`);
  const { values } = await metric.get();
  return values.map((value) => JSON.stringify(value)).sort();
}

const attempt = fc.record({
  directory: fc.integer({ min: 0, max: DIRECTORIES.length - 1 }),
  route: fc.constantFrom(...ROUTES),
  outcome: fc.constantFrom(...OUTCOMES),
  seconds: fc.oneof(fc.double({ min: 0, max: 20, noNaN: true }), fc.constantFrom(...SECONDS)),
  token: fc.boolean(),
  /** The registry is read right after this attempt (a scrape in the middle). */
  scrape: fc.boolean(),
});

describe('upstream-attempt metrics fed in batches', () => {
  it('read exactly as prom-client fed attempt by attempt, whenever the registry is read', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(attempt, { maxLength: 200 }), async (attempts) => {
        const metrics = new Metrics();
        const expected = reference();
        const observers = DIRECTORIES.map(([directory, provider]) => metrics.observer(directory, provider));
        for (const { directory, route, outcome, seconds, token, scrape } of attempts) {
          const [name, provider] = DIRECTORIES[directory] as (typeof DIRECTORIES)[number];
          observers[directory]?.attempt(route, outcome, seconds, token);
          expected.attempt(name, provider, route, outcome, seconds, token);
          if (scrape) await metrics.registry.metrics();
        }
        for (const name of NAMES)
          expect(await valuesOf(metrics.registry, name)).toEqual(await valuesOf(expected.registry, name));
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 100) },
    );
  });

  it('hands a route’s durations over once it holds a batch of them, and counts every attempt', async () => {
    const metrics = new Metrics();
    const expected = reference();
    const observer = metrics.observer('acme', 'monocloud');
    // 2.5 batches of 1,024 on one route, then one scrape: nothing lost at the batch edges.
    for (let index = 0; index < 2_560; index += 1) {
      const seconds = (index % 97) / 100;
      observer.attempt('GET /api/users/{id}', index % 5 === 0 ? '5xx' : '2xx', seconds, index % 7 === 0);
      expected.attempt(
        'acme',
        'monocloud',
        'GET /api/users/{id}',
        index % 5 === 0 ? '5xx' : '2xx',
        seconds,
        index % 7 === 0,
      );
    }
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'usergraph_upstream_request_duration_seconds_count{directory="acme",provider="monocloud",route="GET /api/users/{id}"} 2560',
    );
    expect(text).toContain(
      'usergraph_upstream_requests_total{directory="acme",provider="monocloud",route="GET /api/users/{id}",outcome="5xx"} 512',
    );
    for (const name of NAMES)
      expect(await valuesOf(metrics.registry, name)).toEqual(await valuesOf(expected.registry, name));
    // A reloaded directory's new guard counts into the same series as its old one.
    metrics.observer('acme', 'monocloud').attempt('GET /api/users/{id}', '5xx', 0.01, false);
    expected.attempt('acme', 'monocloud', 'GET /api/users/{id}', '5xx', 0.01, false);
    expect(await metrics.registry.metrics()).toContain(
      'usergraph_upstream_requests_total{directory="acme",provider="monocloud",route="GET /api/users/{id}",outcome="5xx"} 513',
    );
    // Read again with nothing new: the same figures, not counted twice.
    for (const name of NAMES)
      expect(await valuesOf(metrics.registry, name)).toEqual(await valuesOf(expected.registry, name));
  });
});
