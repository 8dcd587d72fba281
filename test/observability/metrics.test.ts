import { afterAll, beforeAll, expect, it } from 'vitest';
import { Metrics } from '../../src/observability/metrics.js';
import { Stack } from '../support/stack.js';

// The operation metrics for what never reaches a directory: refusals by the limit crossed, invalid
// documents, and operation names a client makes up (bounded labels).

const metrics = new Metrics();
let stack: Stack;
beforeAll(async () => {
  stack = await Stack.start({
    perDirectory: 2,
    metrics,
    // 30 a minute: a burst of 3 at once, then one every 2 s.
    limits: { perPrincipal: { operationsPerMinute: 30, upstreamCallsPerMinute: 1_000 } },
  });
});
afterAll(() => stack.close());

const send = (query: string) =>
  stack.app.fetch('http://usergraph.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query }),
  });

async function values(name: string): Promise<Record<string, number>> {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  return Object.fromEntries(
    (metric?.values ?? []).map((value) => [
      Object.entries(value.labels)
        .map(([key, label]) => `${key}=${label}`)
        .join(','),
      value.value,
    ]),
  );
}

it('counts refusals by limit, invalid documents, and rate-limited operations, with bounded operation labels', async () => {
  let deep = 'id';
  for (let i = 0; i < 8; i += 1) deep = `id linkedAccounts { user { ${deep} } }`;
  expect((await send(`query Deep { user(id: "x") { ${deep} } }`)).status).toBe(400);
  expect((await send('query Typo { directoriez { name } }')).status).toBe(400);
  for (let i = 0; i < 3; i += 1) expect((await send('query Ok { directories { name } }')).status).toBe(200);
  // The principal's fourth operation at once is over its rate.
  const limited = await send('query Ok { directories { name } }');
  expect(limited.status).toBe(429);

  expect(await values('usergraph_operations_refused_total')).toEqual({ 'limit=depth': 1, 'limit=rate': 1 });
  expect(await values('usergraph_operations_total')).toEqual({
    'operation=Deep,outcome=refused': 1,
    'operation=Typo,outcome=invalid': 1,
    'operation=Ok,outcome=ok': 3,
    'operation=Ok,outcome=refused': 1,
  });
  expect(await values('usergraph_graphql_errors_total')).toMatchObject({
    'operation=Deep,code=QUERY_TOO_COMPLEX': 1,
    'operation=Typo,code=GRAPHQL_VALIDATION_FAILED': 1,
    'operation=Ok,code=RATE_LIMITED': 1,
  });
});

it('labels at most 100 operation names, the rest as "other", and never a character Prometheus would reject', async () => {
  const fresh = new Metrics();
  for (let i = 0; i < 150; i += 1) fresh.operation(`Op${i}`, 'ok', [], 0.001, null);
  fresh.operation('Weird-name.with spaces', 'ok', [], 0.001, null);
  const metric = await fresh.registry.getSingleMetric('usergraph_operations_total')?.get();
  const labels = new Set((metric?.values ?? []).map((value) => value.labels.operation));
  expect(labels.size).toBe(101);
  expect(labels.has('other')).toBe(true);
  expect(labels.has('Op99')).toBe(true);
  expect(labels.has('Op100')).toBe(false);
});
