import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import autocannon from 'autocannon';
import { stringify } from 'yaml';
import { generateApiKey } from '../src/auth/api-keys.js';
import { SCOPES } from '../src/auth/scopes.js';
import { TestIssuer } from '../test/support/issuer.js';
import type { BenchDirectory } from './directories.js';
import { cpuMs, rssMb, type Started, start } from './processes.js';
import { type Round, totalRequests } from './results.js';
import type { Counts } from './scenarios.js';
import type { SimulatorsInfo } from './simulators-process.js';

// The pieces `run.ts` (gateway against floor) and `compare.ts` (one gateway build against another) share:
// starting the processes, checking answers, and one measured round.

export const ROOT = new URL('..', import.meta.url).pathname;
export const CONNECTIONS = 16;
const HEADERS = { 'content-type': 'application/json', accept: 'application/json' };
const TSX = ['--import', 'tsx'];

export interface Server {
  readonly name: string;
  readonly url: string;
  readonly process: Started;
  /** Sent with every request (credentials). */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * How the gateway authenticates its callers in a run: not at all (`auth.mode: none`), JWTs from an
 * issuer the bench process serves on loopback (verified with its JWKS over HTTP), or an API key. The
 * floor gets the same credentials and ignores them.
 */
export type BenchAuth = 'none' | 'jwt' | 'api-key' | 'legacy';

export interface Credentials {
  /** The config's `auth`; null for builds from before authentication existed (`legacy`). */
  readonly config: Record<string, unknown> | null;
  readonly headers: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

// Every scope that reads users, groups or roles. Scopes a build does not know are ignored by it, so
// older builds take the same tokens.
const ALL_USER_SCOPES = SCOPES.filter(
  (scope) => scope.startsWith('users:read') || scope === 'groups:read' || scope === 'roles:read',
);

export async function benchCredentials(auth: BenchAuth): Promise<Credentials> {
  if (auth === 'none') return { config: { mode: 'none' }, headers: {}, close: async () => {} };
  if (auth === 'legacy') return { config: null, headers: {}, close: async () => {} };
  if (auth === 'api-key') {
    const { key, sha256 } = generateApiKey();
    return {
      config: { apiKeys: [{ name: 'bench', sha256, scopes: ALL_USER_SCOPES }] },
      headers: { authorization: `Bearer ${key}` },
      close: async () => {},
    };
  }
  const issuer = await TestIssuer.start();
  const token = await issuer.sign({
    sub: 'bench',
    scope: ALL_USER_SCOPES.join(' '),
    exp: Math.floor(Date.now() / 1000) + 86_400,
  });
  return {
    config: { jwt: { issuer: issuer.url, audience: 'usergraph' } },
    headers: { authorization: `Bearer ${token}` },
    close: () => issuer.close(),
  };
}

export interface Simulators {
  readonly info: SimulatorsInfo;
  readonly process: Started;
}

export async function startSimulators(latencyMs: number): Promise<Simulators> {
  const started = await start(process.execPath, [...TSX, 'bench/simulators-process.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      SIM_LATENCY_MS: String(latencyMs),
      SIM_TLS: process.env.BENCH_TLS === '1' ? '1' : '0',
      SIM_H2: process.env.BENCH_H2 === '1' ? '1' : '0',
    },
    ready: (line) => line.startsWith('{'),
  });
  return { info: JSON.parse(started.line) as SimulatorsInfo, process: started };
}

/**
 * Node options both servers run with: usergraph's production command (`npm run serve`, README). A
 * larger young generation halves scavenges for allocation-heavy servers (BENCHMARKS.md); the floor gets
 * it too, so the comparison is of code, not of runtime flags.
 */
export const PRODUCTION_NODE_ARGS = ['--max-semi-space-size=64'];

/** The gateway as users run it: compiled JavaScript, production settings, a config file. */
export async function startGateway(
  name: string,
  dir: string,
  directories: readonly BenchDirectory[],
  credentials: Credentials,
  profileDir?: string,
  nodeArgs: readonly string[] = [],
  options: {
    /** A build from before `limits:` existed, whose config must not name them. */
    readonly beforeLimits?: boolean;
    /** Config entries merged over the bench's (e.g. `{ metrics: { enabled: false } }`). */
    readonly config?: Readonly<Record<string, unknown>>;
    /** Environment variables for this gateway only (e.g. OTEL_* for tracing). */
    readonly env?: Readonly<Record<string, string>>;
  } = {},
): Promise<Server> {
  const configDir = mkdtempSync(join(tmpdir(), 'usergraph-bench-'));
  const config = join(configDir, 'usergraph.yaml');
  writeFileSync(
    config,
    stringify(
      credentials.config === null
        ? { directories }
        : {
            directories,
            auth: credentials.config,
            // The audit log where it goes by default, a line per operation on standard output (drained like
            // the access log): the must-hold is measured with everything on. Named, so a change of default
            // cannot turn it off in the bench unnoticed.
            audit: { sink: 'stdout' },
            // One principal sends every request of a run, thousands a second: its quota must not bind.
            // S2-600 asks for 600 ids, past the default 500 per operation: the cap is raised to 600 (the
            // checks still run; every other limit is its default).
            ...(options.beforeLimits
              ? {}
              : {
                  limits: {
                    ids: 600,
                    perPrincipal: { operationsPerMinute: 100_000_000, upstreamCallsPerMinute: 1_000_000_000 },
                  },
                }),
            // A profiled or GC-observed gateway must exit within stop()'s 5 s to write its profile or its
            // GC summary (bench/gc-observer.cjs): no drain wait.
            ...(profileDir || process.env.GC_OBSERVER_DIR ? { server: { drainSeconds: 0 } } : {}),
            ...options.config,
          },
    ),
  );
  // The gateway reads its configuration once, at start; the file (it holds credentials) goes right after.
  const started = await start(
    process.execPath,
    [
      ...PRODUCTION_NODE_ARGS,
      ...nodeArgs,
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
      'dist/main.js',
      '--config',
      config,
    ],
    {
      cwd: dir,
      // The log at its production default: an access line per request is part of what a request costs.
      env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'info', PORT: '0', ...options.env },
      ready: (line) => /http:\/\/[^/\s]+:\d+\/graphql/.test(line),
    },
  ).finally(() => rmSync(configDir, { recursive: true, force: true }));
  const port = /:(\d+)\/graphql/.exec(started.line)?.[1];
  return { name, url: `http://127.0.0.1:${port}/graphql`, process: started, headers: credentials.headers };
}

export async function startFloor(
  directories: readonly BenchDirectory[],
  credentials: Credentials,
  profileDir?: string,
): Promise<Server> {
  const started = await start(
    process.execPath,
    [
      ...PRODUCTION_NODE_ARGS,
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
      ...TSX,
      'bench/floor.ts',
    ],
    {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production', FLOOR_DIRECTORIES: JSON.stringify(directories) },
      ready: (line) => line.startsWith('{"port"'),
    },
  );
  const port = (JSON.parse(started.line) as { port: number }).port;
  return {
    name: 'floor',
    url: `http://127.0.0.1:${port}/graphql`,
    process: started,
    headers: credentials.headers,
  };
}

export async function post(server: Server, body: string): Promise<{ status: number; text: string }> {
  const res = await fetch(server.url, { method: 'POST', headers: { ...HEADERS, ...server.headers }, body });
  return { status: res.status, text: await res.text() };
}

/** Requests per simulator route since the last call (and the counters start afresh). */
export async function upstreamCounts(sims: Simulators): Promise<Counts> {
  return (await (await fetch(`${sims.info.control}/__counts`)).json()) as Counts;
}

/**
 * Waits until no upstream request has arrived for a while: operations cut off at the end of a timed
 * warm-up may still be running in the server, and must not be counted in the next round.
 */
export async function quiesce(sims: Simulators): Promise<void> {
  await upstreamCounts(sims);
  for (let quiet = 0, waited = 0; quiet < 2 && waited < 20_000; waited += 250) {
    await sleep(250);
    quiet = totalRequests(await upstreamCounts(sims)) === 0 ? quiet + 1 : 0;
  }
}

export function scaleCounts(counts: Counts, factor: number): Counts {
  const out: Counts = {};
  for (const [provider, routes] of Object.entries(counts) as [keyof Counts, Record<string, number>][]) {
    const entries = Object.entries(routes);
    if (entries.length > 0) out[provider] = Object.fromEntries(entries.map(([r, n]) => [r, n * factor]));
  }
  return out;
}

export function addCounts(into: Record<string, Record<string, number>>, counts: Counts): void {
  for (const [provider, routes] of Object.entries(counts)) {
    const target = into[provider] ?? {};
    into[provider] = target;
    for (const [route, n] of Object.entries(routes ?? {})) target[route] = (target[route] ?? 0) + n;
  }
}

/** The first place two JSON values differ, for a useful failure message. */
function firstDifference(a: unknown, b: unknown, path = '$'): string {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return `${path}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`;
  }
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = (a as Record<string, unknown>)[key];
    const y = (b as Record<string, unknown>)[key];
    if (!isDeepStrictEqual(x, y)) return firstDifference(x, y, `${path}.${key}`);
  }
  return `${path}: differ`;
}

/**
 * Every server must answer with the same data and no errors before anything is measured. Returns each
 * server's exact body, which every response under load must then match.
 */
export async function verify(id: string, body: string, servers: readonly Server[]): Promise<string[]> {
  const answers = await Promise.all(servers.map((server) => post(server, body)));
  const parsed = answers.map((answer, index) => {
    const json = JSON.parse(answer.text) as { data?: unknown; errors?: unknown };
    if (answer.status !== 200 || json.errors !== undefined || json.data === undefined) {
      const name = servers[index]?.name;
      throw new Error(`${id}: ${name} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
    }
    return json;
  });
  for (const [index, other] of parsed.entries()) {
    if (!isDeepStrictEqual(parsed[0], other)) {
      const names = `${servers[0]?.name} and ${servers[index]?.name}`;
      throw new Error(`${id}: ${names} answer differently at ${firstDifference(parsed[0], other)}`);
    }
  }
  return answers.map((answer) => answer.text);
}

/** Upstream requests of one operation sent alone (after the first, which logged App Services in). */
export async function singleOperation(server: Server, body: string, sims: Simulators): Promise<Counts> {
  await quiesce(sims);
  await post(server, body);
  return upstreamCounts(sims);
}

/** A fixed number of POSTs at CONNECTIONS concurrency. */
function drive(server: Server, body: string, amount: number, extra: Record<string, unknown> = {}) {
  return autocannon({
    url: server.url,
    method: 'POST',
    headers: { ...HEADERS, ...server.headers },
    body,
    connections: CONNECTIONS,
    amount,
    timeout: 30,
    // autocannon notices that the last response came in at its next sample tick (1 s by default).
    sampleInt: 25,
    ...extra,
  });
}

/** Load for `seconds` at CONNECTIONS concurrency, answers unchecked (a quota makes some fail). */
export async function runFor(
  server: Server,
  body: string,
  seconds: number,
): Promise<{ readonly requests: number; readonly failures: number }> {
  const result = await autocannon({
    url: server.url,
    method: 'POST',
    headers: { ...HEADERS, ...server.headers },
    body,
    connections: CONNECTIONS,
    duration: seconds,
    timeout: 30,
  });
  return { requests: result.requests.total, failures: result.errors + result.timeouts + result.non2xx };
}

/** The median latency (ms) of one client sending `body` 200 times, one after another. */
export async function sequentialP50(server: Server, body: string, expected: string): Promise<number> {
  const result = await autocannon({
    url: server.url,
    method: 'POST',
    headers: { ...HEADERS, ...server.headers },
    body,
    connections: 1,
    amount: 200,
    timeout: 30,
    expectBody: expected,
  });
  if (result.errors + result.timeouts + result.non2xx + result.mismatches > 0) {
    throw new Error(`sequential run against ${server.name} failed`);
  }
  return result.latency.p50;
}

/**
 * Warms a server up and sizes the measured rounds. Every load run, the warm-up's included, sends a fixed
 * number of requests rather than running for a duration: then no operation is ever cut off at the end
 * (which would leave upstream calls running into the next round, and abort others), so upstream
 * requests per operation are exact. A short first run estimates the rate the rest is sized from.
 */
export async function warmUp(server: Server, body: string, seconds: number, roundSeconds: number) {
  const load = async (amount: number) => {
    const began = performance.now();
    await drive(server, body, amount);
    return amount / ((performance.now() - began) / 1000);
  };
  const sized = (perSecond: number, s: number) =>
    Math.max(1, Math.round((perSecond * s) / CONNECTIONS)) * CONNECTIONS;
  const rate = await load(CONNECTIONS * 4);
  const warmRate = await load(sized(rate, seconds));
  return sized(warmRate, roundSeconds);
}

export async function measureRound(
  server: Server,
  body: string,
  expected: string,
  sims: Simulators,
  amount: number,
  /** Paces the round at this many requests per second instead of as fast as answers come. */
  rate?: number,
): Promise<Round> {
  await quiesce(sims);
  const cpu0 = cpuMs(server.process.pid);
  const sim0 = cpuMs(sims.process.pid);
  const began = performance.now();
  const result = await drive(server, body, amount, {
    ...(rate === undefined ? {} : { overallRate: rate }),
    expectBody: expected,
  });
  // autocannon's own `duration` is coarse; the round's wall time is measured here.
  const seconds = (performance.now() - began) / 1000;
  const cpu = cpuMs(server.process.pid) - cpu0;
  const sim = cpuMs(sims.process.pid) - sim0;
  const requests = result.requests.total;
  await sleep(20);
  return {
    requests,
    seconds,
    rps: requests / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuMsPerOp: cpu / requests,
    simulatorsCpuMsPerOp: sim / requests,
    failures: result.errors + result.timeouts + result.non2xx + result.mismatches,
    upstream: scaleCounts(await upstreamCounts(sims), 1 / requests),
    rssMb: rssMb(server.process.pid),
  };
}

/**
 * An OTLP/HTTP endpoint that takes spans and drops them, for benchmarks with tracing on: the gateway
 * pays for building and exporting its spans, as with a real collector.
 */
export async function startOtlpSink(): Promise<{
  readonly url: string;
  readonly received: { requests: number; bytes: number };
  close(): Promise<void>;
}> {
  const { createServer } = await import('node:http');
  const received = { requests: 0, bytes: 0 };
  const server = createServer((request, response) => {
    received.requests += 1;
    request.on('data', (chunk: Buffer) => {
      received.bytes += chunk.length;
    });
    request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
