import fc from 'fast-check';
import { Counter, Histogram, Registry } from 'prom-client';
import { expect, it } from 'vitest';
import { BoundCounter, BoundHistogram } from '../../src/observability/bound-series.js';

// The upstream-attempt metrics skip prom-client's per-call label hashing (bound-series.ts); what a
// scrape reads must stay byte for byte what prom-client's own Counter and Histogram would write.

const BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LABELS = [
  { directory: 'acme', provider: 'monocloud', route: 'GET /api/users/{id}' },
  { directory: 'corp', provider: 'zitadel', route: 'POST /v2/users' },
  { directory: 'we"ird\\dir', provider: 'app-services', route: 'GET /users/{id}\n' },
];

it('writes the same exposition as prom-client for any sequence of observations', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.tuple(
          fc.nat({ max: LABELS.length - 1 }),
          fc.constantFrom('2xx', '4xx', '5xx', 'timeout'),
          fc.oneof(fc.constantFrom(...BOUNDS, 0, 20), fc.double({ min: 0, max: 30, noNaN: true })),
        ),
        { maxLength: 60 },
      ),
      async (observations) => {
        const theirs = new Registry();
        const ours = new Registry();
        const counter = new Counter({
          name: 'usergraph_upstream_requests_total',
          help: 'Upstream requests.',
          labelNames: ['directory', 'provider', 'route', 'outcome'],
          registers: [theirs],
        });
        const histogram = new Histogram({
          name: 'usergraph_upstream_request_duration_seconds',
          help: 'Duration of one upstream attempt.',
          labelNames: ['directory', 'provider', 'route'],
          buckets: BOUNDS,
          registers: [theirs],
        });
        const boundCounter = new BoundCounter(
          'usergraph_upstream_requests_total',
          'Upstream requests.',
          ours,
        );
        const boundHistogram = new BoundHistogram(
          'usergraph_upstream_request_duration_seconds',
          'Duration of one upstream attempt.',
          BOUNDS,
          ours,
        );
        for (const [index, outcome, seconds] of observations) {
          const labels = LABELS[index] as (typeof LABELS)[number];
          counter.inc({ ...labels, outcome });
          histogram.observe(labels, seconds);
          // Both ways in: a function bound once (the hot path) and by labels each time.
          if (seconds < 1) {
            boundCounter.bind({ ...labels, outcome })();
            boundHistogram.bind(labels)(seconds);
          } else {
            boundCounter.inc({ ...labels, outcome });
            boundHistogram.observe(labels, seconds);
          }
        }
        expect(await ours.metrics()).toBe(await theirs.metrics());
        expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
      },
    ),
    { numRuns: 200 },
  );
});
