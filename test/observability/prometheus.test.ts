import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/auth/api-keys.js';
import { Authenticator } from '../../src/auth/authenticator.js';
import { authSettings } from '../../src/auth/settings.js';
import { encodeUserId } from '../../src/directory/global-id.js';
import { Metrics } from '../../src/observability/metrics.js';
import { createMetricsServer } from '../../src/observability/metrics-server.js';
import { CardNamesDocument } from '../generated/graphql.js';
import { PROMETHEUS, Prometheus, type Sample } from '../support/prometheus.js';
import { Stack } from '../support/stack.js';

// The metrics as an operator gets them: Debian's Prometheus scrapes /metrics over HTTP with an API key
// that holds metrics:read, and its query API must say exactly what the simulators' request logs say.

const scraper = generateApiKey();
const reader = generateApiKey();
let stack: Stack;
let server: Server;
let base: string;
let prometheus: Prometheus;

beforeAll(async () => {
  if (!existsSync(PROMETHEUS)) throw new Error(`${PROMETHEUS} missing: apt-get install prometheus`);
  const settings = authSettings.parse({
    apiKeys: [
      { name: 'prometheus', sha256: scraper.sha256, scopes: ['metrics:read'] },
      { name: 'support', sha256: reader.sha256, scopes: ['users:read', 'users:read:contact'] },
    ],
  });
  stack = await Stack.start({
    perDirectory: 20,
    metrics: new Metrics(),
    security: { authenticator: new Authenticator(settings) },
  });
  server = createServer(stack.app.http.listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  prometheus = await Prometheus.start(
    `  - job_name: usergraph
    metrics_path: /metrics
    authorization:
      credentials: ${scraper.key}
    static_configs:
      - targets: ['127.0.0.1:${port}']
`,
  );
}, 40_000);
afterAll(async () => {
  await prometheus?.stop();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await stack?.close();
});
beforeEach(() => stack.sims.resetAll());

describe('/metrics on the main port', () => {
  it('answers only a credential with metrics:read', async () => {
    const none = await fetch(`${base}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    const wrongScope = await fetch(`${base}/metrics`, { headers: { 'x-api-key': reader.key } });
    expect(wrongScope.status).toBe(403);
    const scrape = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${scraper.key}` } });
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toContain('text/plain');
    const text = await scrape.text();
    expect(text).toContain('# TYPE usergraph_upstream_requests_total counter');
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_p99_seconds');
  });
});

it('a 60-user query with one directory failing: Prometheus’ counters match the simulators’ request logs exactly', async () => {
  stack.sims.monocloud.inject({ route: 'getUser', fault: { type: 'status', status: 503 } });
  const ids = [
    ...stack.ids.monocloud.slice(0, 20).map((id) => encodeUserId('acme', id)),
    ...stack.ids.zitadel.slice(0, 20).map((id) => encodeUserId('corp', id)),
    ...stack.ids.appServices.slice(0, 20).map((id) => encodeUserId('mobile', id)),
  ];
  const { body } = await stack.execute(CardNamesDocument, { ids }, { 'x-api-key': reader.key });
  expect(body.data?.nodes?.filter(Boolean)).toHaveLength(40);
  const errors = body.errors ?? [];
  expect(errors.length).toBeGreaterThanOrEqual(20);

  const received = {
    acme: stack.sims.monocloud.log,
    corp: stack.sims.zitadel.log,
    mobile: stack.sims.appServices.log,
  };
  const expected = Object.fromEntries(Object.entries(received).map(([name, log]) => [name, log.length]));
  const byDirectory = (samples: Sample[]) =>
    Object.fromEntries(samples.map((sample) => [sample.labels.directory, sample.value]));

  // Wait for a scrape that saw the whole query: the totals then must match, and stay matched.
  let last: Record<string, number> = {};
  await prometheus
    .until(
      async () => {
        last = byDirectory(await prometheus.query('sum by (directory) (usergraph_upstream_requests_total)'));
        return JSON.stringify(last) === JSON.stringify(expected);
      },
      15_000,
      `showing ${JSON.stringify(expected)} (last: ${JSON.stringify(last)})`,
    )
    .catch((error: Error) => {
      throw new Error(`${error.message}; last seen ${JSON.stringify(last)}`);
    });
  // acme failed until its circuit opened; the rest of its users were never sent.
  expect(expected.acme).toBeGreaterThan(0);

  // The failing directory's 5xx attempts are the simulator's 503s, retries included.
  const failed = received.acme.filter((entry) => entry.status === 503).length;
  expect(failed).toBe(expected.acme);
  const [fivexx] = await prometheus.query(
    'usergraph_upstream_requests_total{directory="acme",outcome="5xx"}',
  );
  expect(fivexx?.value).toBe(failed);
  expect(fivexx?.labels.route).toBe('GET /api/users/{id}');
  expect(
    await prometheus.query('usergraph_upstream_requests_total{directory!="acme",outcome!="2xx"}'),
  ).toEqual([]);
  // Retries: every acme attempt after a user's first (and any the circuit then refused).
  const [retries] = await prometheus.query('sum(usergraph_upstream_retries_total{directory="acme"})');
  expect(retries?.value).toBeGreaterThanOrEqual(
    failed - new Set(received.acme.map((entry) => entry.path)).size,
  );

  // What the callers got from acme, by code; the other directories reported none.
  const directoryErrors = await prometheus.query('usergraph_directory_errors_total');
  expect(directoryErrors.map((sample) => [sample.labels.directory, sample.labels.code])).toEqual([
    ['acme', 'DIRECTORY_UNAVAILABLE'],
  ]);
  // The App Services login, as a token renewal and as one of mobile's upstream requests.
  const [logins] = await prometheus.query('sum(usergraph_token_renewals_total{directory="mobile"})');
  expect(logins?.value).toBe(stack.sims.appServices.count('login'));
  expect(logins?.value).toBe(1);

  // The operation: partial, its errors by code, its upstream calls per directory.
  const [operation] = await prometheus.query('usergraph_operations_total{operation="CardNames"}');
  expect(operation).toMatchObject({ labels: { outcome: 'partial' }, value: 1 });
  const [codes] = await prometheus.query(
    'usergraph_graphql_errors_total{operation="CardNames",code="DIRECTORY_UNAVAILABLE"}',
  );
  expect(codes?.value).toBe(errors.length);
  const calls = byDirectory(
    await prometheus.query('usergraph_operation_upstream_calls_sum{operation="CardNames"}'),
  );
  expect(calls).toEqual({
    acme: expect.any(Number),
    corp: expected.corp,
    mobile: (expected.mobile ?? 0) - 1,
  });

  // The circuit gauge says what Directory.health says.
  const circuit = stack.registry.get('acme')?.health?.().circuit;
  const [gauge] = await prometheus.query('usergraph_circuit_state{directory="acme"}');
  expect(gauge?.value).toBe({ CLOSED: 0, HALF_OPEN: 1, OPEN: 2 }[circuit ?? 'CLOSED']);
  // And the scrape itself is healthy (authenticated, parsed).
  expect((await prometheus.targets()).map((target) => target.health)).toEqual(['up']);
}, 30_000);

it('a port of its own serves /metrics and nothing else', async () => {
  const metrics = new Metrics();
  const own = createMetricsServer(metrics);
  await new Promise<void>((resolve) => own.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(own.address() as AddressInfo).port}`;
  try {
    const scrape = await fetch(`${url}/metrics`);
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toContain('usergraph_operations_total');
    expect((await fetch(`${url}/graphql`)).status).toBe(404);
    expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(404);
  } finally {
    own.close();
  }
});

describe('the operator kit (deploy/)', () => {
  const dashboard = JSON.parse(readFileSync('deploy/grafana/usergraph.json', 'utf8')) as {
    panels: { type: string; title: string; targets?: { expr: string }[] }[];
  };
  const expressions = dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })),
  );
  const alerts = readFileSync('deploy/prometheus/alerts.yml', 'utf8');

  it('every dashboard query is PromQL this Prometheus accepts, and answers once usergraph is scraped', async () => {
    expect(expressions.length).toBeGreaterThan(15);
    for (const { panel, expr } of expressions) {
      const promql = expr.replaceAll('$directory', 'acme').replaceAll('$__rate_interval', '1m');
      await expect(prometheus.query(promql), `${panel}: ${promql}`).resolves.toEqual(expect.any(Array));
    }
  });

  it('names only metrics usergraph exports', async () => {
    // Every metric there is: those a deployment with Redis adds too.
    const all = new Metrics();
    all.watchShared(() => true);
    all.watchSubscriptions(() => 0);
    const exported = new Set((await all.registry.getMetricsAsJSON()).map((metric) => metric.name));
    const named = new Set(
      [
        ...JSON.stringify(dashboard).matchAll(/usergraph_[a-z_]+/g),
        ...alerts.matchAll(/usergraph_[a-z_]+/g),
      ].map((match) => match[0].replace(/_(bucket|sum|count)$/, '')),
    );
    expect([...named].filter((name) => !exported.has(name))).toEqual([]);
    // Each directory metric is on the dashboard.
    const onDashboard = JSON.stringify(dashboard);
    for (const name of exported) if (name.startsWith('usergraph_')) expect(onDashboard, name).toContain(name);
  });
});
