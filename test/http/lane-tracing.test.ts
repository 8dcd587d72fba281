import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTracing, type Tracing, tracingSettingsFrom } from '../../src/observability/tracing.js';
import { type BothWays, serveBothWays } from '../support/both-ways.js';
import { OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { Stack } from '../support/stack.js';

// The lane with tracing on (src/server/graphql-lane.ts drives the tracing plugin's hooks as Yoga does):
// the same request, in a caller's trace, through the lane and through Yoga alone, leaves the same spans —
// names, kinds, parents, attributes and status — apart from ids and timings.

let receiver: OtlpReceiver;
let tracing: Tracing;
let stack: Stack;
let served: BothWays;

beforeAll(async () => {
  receiver = await OtlpReceiver.start();
  process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = receiver.url;
  const problems: string[] = [];
  const settings = tracingSettingsFrom(
    { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
    problems,
  );
  if (settings === null || problems.length > 0) throw new Error(`tracing should be on: ${problems}`);
  tracing = startTracing(settings);
  stack = await Stack.start({ perDirectory: 5, tracer: tracing.tracer });
  served = await serveBothWays(stack.app);
});

afterAll(async () => {
  await served?.close();
  await stack?.close();
  await tracing?.shutdown();
  await receiver?.close();
  delete process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
});

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** A request's spans as a sorted list of what does not change between two runs of it. */
async function spansOf(url: string, body: string): Promise<unknown[]> {
  const traceId = randomBytes(16).toString('hex');
  const parentId = randomBytes(8).toString('hex');
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      traceparent: `00-${traceId}-${parentId}-01`,
    },
    body,
  });
  await response.text();
  await tracing.flush();
  const spans = receiver.spans.filter((span) => span.traceId === traceId);
  const nameOf = (id: string) =>
    id === parentId ? 'caller' : (spans.find((span) => span.spanId === id)?.name ?? 'missing');
  const stable = (span: ReceivedSpan) => ({
    name: span.name,
    kind: span.kind,
    parent: nameOf(span.parentSpanId),
    status: span.status,
    events: span.events.map((event) => event.name),
    // Ids and timings (`…_ms`: the deadline left, waits) differ from one run to the next.
    attributes: Object.fromEntries(
      Object.entries(span.attributes).map(([key, value]) => [
        key,
        key.endsWith('_ms') ? 'ms' : JSON.parse(JSON.stringify(value).replace(UUID, 'ID')),
      ]),
    ),
  });
  return spans.map(stable).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

it('leaves the spans Yoga leaves, for answers and for errors', async () => {
  const counts = stack.app.http.lane;
  const bodies = [
    {
      query: 'query Some($first: Int!) { users(first: $first) { nodes { id displayName } } }',
      variables: { first: 3 },
    },
    { query: '{ directories { name } }' },
    { query: '{ nope }' },
    { query: 'query One($id: ID!) { user(id: $id) { id } }', variables: { id: 'bm9wZQ' } },
  ].map((body) => JSON.stringify(body));
  for (const body of bodies) {
    await spansOf(served.laneUrl, body);
    const before = counts.lane;
    const viaLane = await spansOf(served.laneUrl, body);
    expect(counts.lane).toBe(before + 1);
    const viaYoga = await spansOf(served.yogaUrl, body);
    expect(viaLane.length).toBeGreaterThan(0);
    expect(viaLane).toEqual(viaYoga);
  }
});
