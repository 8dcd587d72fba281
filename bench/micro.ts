import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  InMemorySpanExporter,
  NoopSpanProcessor,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { encodeUserId } from '../src/directory/global-id.js';
import { DirectoryRegistry } from '../src/directory/registry.js';
import { createApp } from '../src/server/app.js';
import { fakeDirectory, fakeUser } from '../test/support/fake-directory.js';

const users = Array.from({ length: 60 }, (_, i) =>
  fakeUser('a', { localId: `u${i}`, createdAt: 1_700_000_000 + i, status: 'ACTIVE', machine: false }),
);
const dir = fakeDirectory('a', users, { pageSize: 50, reportsTotal: false });
// TRACE=noop|memory: with a tracer whose spans go nowhere, or to memory through the batch processor.
const processors: Record<string, () => SpanProcessor> = {
  noop: () => new NoopSpanProcessor(),
  memory: () => new BatchSpanProcessor({ exporter: new InMemorySpanExporter() }),
};
const processor = processors[process.env.TRACE ?? '']?.();
const tracer = processor
  ? new TracerProvider({ sampler: new AlwaysOnSampler(), spanProcessors: [processor] }).getTracer('micro')
  : undefined;
// One caller sends every request here: its per-minute quota must not bind (past it every answer would
// be RATE_LIMITED, and this would measure the refusal).
const app = createApp({
  directories: new DirectoryRegistry([dir]),
  logLevel: 'silent',
  tracer,
  limits: { perPrincipal: { operationsPerMinute: 100_000_000, upstreamCallsPerMinute: 1_000_000_000 } },
});
const n = Number(process.env.N ?? 1);
const ids = users.slice(0, n).map((u) => encodeUserId('a', u.localId));
const body = JSON.stringify({
  query:
    'query($ids:[ID!]!){ nodes(ids:$ids){ id ... on User { displayName emails { address verified } } } }',
  variables: { ids },
});
async function once() {
  const r = await app.fetch('http://x/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const text = await r.text();
  if (r.status !== 200 || text.includes('"errors"'))
    throw new Error(`unexpected answer: ${text.slice(0, 200)}`);
}
for (let i = 0; i < 3000; i++) await once();
const t = performance.now();
const N = (20000 / n) | 0;
for (let i = 0; i < N; i++) await once();
console.log(`${process.env.LABEL ?? ''} n=${n}: ${(((performance.now() - t) * 1000) / N).toFixed(1)} µs/op`);
