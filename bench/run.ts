// `npm run bench`: usergraph (compiled, production settings) against a hand-written floor, both in front
// of the same simulators (own process, fixed latency), driven by autocannon in alternating rounds.
// Writes bench/results.json and the results section of BENCHMARKS.md. See BENCHMARKS.md for the method.
//
// Env: BENCH_SECONDS (per measured round, default 8), BENCH_WARMUP (s, default 4), BENCH_ROUNDS (per
// server, default 3), BENCH_ONLY (comma-separated scenario ids; results then go to a temporary file
// only), BENCH_PROFILE=1 (both servers write .cpuprofile files to bench/profiles/ on exit; summarise
// with `tsx bench/profile-top.ts`), BENCH_GATEWAY_DIR (another checkout holding dist/main.js),
// BENCH_CONCURRENCY (usergraph's directory `concurrency`); the floor reads FLOOR_CONNECTIONS and
// FLOOR_FAN_OUT (bench/floor-directories.ts); BENCH_TLS=1 serves the simulators over HTTPS (a CA made
// for the run, trusted by both servers through the directories' `tls.ca`), BENCH_H2=1 offers HTTP/2 too
// (both servers' undici negotiates it: `tls.http2`, `allowH2`); BENCH_REDIS=1 gives the gateway a
// `redis:` (a redis-server started for the run on a unix socket, as test/support/redis.ts starts one):
// quotas and outbound tokens shared as a multi-replica deployment shares them (the floor has no Redis).
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { RedisServer } from '../test/support/redis.js';
import { benchDirectories } from './directories.js';
import {
  addCounts,
  type BenchAuth,
  benchCredentials,
  CONNECTIONS,
  measureRound,
  PRODUCTION_NODE_ARGS,
  ROOT,
  runFor,
  type Server,
  type Simulators,
  scaleCounts,
  sequentialP50,
  singleOperation,
  startFloor,
  startGateway,
  startSimulators,
  upstreamCounts,
  verify,
  warmUp,
} from './harness.js';
import { stop } from './processes.js';
import { renderTables, writeReport } from './report.js';
import {
  type BenchResults,
  type EqualRate,
  median,
  type QuotaResult,
  type Round,
  type ScenarioResult,
  type TargetSummary,
  totalRequests,
} from './results.js';
import { type Counts, SCENARIOS, type Scenario } from './scenarios.js';

/** Seconds of load before a quota scenario is measured: the rate is learnt meanwhile (issue 18: ≤ 10 s). */
const QUOTA_WARMUP_S = 10;

const settings = {
  latencyMs: 5,
  connections: CONNECTIONS,
  roundSeconds: Number(process.env.BENCH_SECONDS ?? 8),
  warmupSeconds: Number(process.env.BENCH_WARMUP ?? 4),
  rounds: Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3)),
  /** usergraph's directory `concurrency` (BENCH_CONCURRENCY; 8, its default). The floor fans out fully. */
  directoryConcurrency: Number(process.env.BENCH_CONCURRENCY ?? 8),
  /** How the gateway authenticates its callers (BENCH_AUTH: jwt by default, api-key or none). */
  auth: (process.env.BENCH_AUTH ?? 'jwt') as BenchAuth,
  /** The upstreams over HTTPS (BENCH_TLS=1: TLS 1.3, ECDSA P-256; BENCH_H2=1: HTTP/2 offered) or plain HTTP. */
  upstream: process.env.BENCH_TLS !== '1' ? 'http' : process.env.BENCH_H2 === '1' ? 'https, HTTP/2' : 'https',
  /** The gateway's shared state (BENCH_REDIS=1: a local redis-server on a unix socket) or none. */
  redis: process.env.BENCH_REDIS === '1',
  gateway: `node ${PRODUCTION_NODE_ARGS.join(' ')} dist/main.js --config <generated usergraph.yaml>, NODE_ENV=production, LOG_LEVEL=info (access and audit lines on standard output)`,
  floor: `node ${PRODUCTION_NODE_ARGS.join(' ')} --import tsx bench/floor.ts (node:http + undici, no GraphQL)`,
};
const only = process.env.BENCH_ONLY?.split(',').map((id) => id.trim());
const scenarios = SCENARIOS.filter((scenario) => !only || only.includes(scenario.id));
const profileDir = (server: string) =>
  process.env.BENCH_PROFILE === '1' ? join(ROOT, 'bench/profiles', server) : undefined;
const gatewayDir = process.env.BENCH_GATEWAY_DIR ?? ROOT;

function summarize(rounds: readonly Round[], single: Counts): TargetSummary {
  const requests = rounds.reduce((n, r) => n + r.requests, 0);
  const weighted = (pick: (r: Round) => number) =>
    rounds.reduce((total, r) => total + pick(r) * r.requests, 0) / requests;
  const upstream: Record<string, Record<string, number>> = {};
  for (const r of rounds) addCounts(upstream, scaleCounts(r.upstream, r.requests));
  return {
    rps: {
      median: median(rounds.map((r) => r.rps)),
      min: Math.min(...rounds.map((r) => r.rps)),
      max: Math.max(...rounds.map((r) => r.rps)),
    },
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    cpuMsPerOp: weighted((r) => r.cpuMsPerOp),
    simulatorsCpuMsPerOp: weighted((r) => r.simulatorsCpuMsPerOp),
    failures: rounds.reduce((n, r) => n + r.failures, 0),
    rssMb: Math.max(...rounds.map((r) => r.rssMb)),
    upstreamPerOp: scaleCounts(upstream, 1 / requests),
    upstreamSingle: single,
    rounds,
  };
}

async function runScenario(
  scenario: Scenario,
  servers: readonly [Server, Server],
  sims: Simulators,
): Promise<ScenarioResult> {
  const body = scenario.body(sims.info.ids);
  const expected = await verify(scenario.id, body, servers);
  const single: Counts[] = [];
  for (const server of servers) single.push(await singleOperation(server, body, sims));
  const amounts: number[] = [];
  for (const server of servers) {
    amounts.push(await warmUp(server, body, settings.warmupSeconds, settings.roundSeconds));
  }
  const rounds: Round[][] = servers.map(() => []);
  for (let i = 0; i < settings.rounds; i += 1) {
    for (const [index, server] of servers.entries()) {
      const round = await measureRound(server, body, expected[index] ?? '', sims, amounts[index] ?? 1);
      rounds[index]?.push(round);
      console.error(
        `${scenario.id} ${server.name.padEnd(7)} round ${i + 1}: ${round.rps.toFixed(0)} req/s, p99 ${round.p99} ms, ${round.cpuMsPerOp.toFixed(2)} CPU ms/op, ${totalRequests(round.upstream).toFixed(2)} upstream/op, ${round.failures} failures`,
      );
    }
  }
  const gateway = summarize(rounds[0] ?? [], single[0] ?? {});
  const floor = summarize(rounds[1] ?? [], single[1] ?? {});
  let equalRate: EqualRate | undefined;
  if (scenario.equalRate) {
    const rate = Math.max(1, Math.round(gateway.rps.median / 2));
    const amount = Math.max(CONNECTIONS, Math.round(rate * settings.roundSeconds));
    const paced: Round[] = [];
    for (const [index, server] of servers.entries()) {
      paced.push(await measureRound(server, body, expected[index] ?? '', sims, amount, rate));
    }
    const [g, f] = paced as [Round, Round];
    equalRate = {
      rps: rate,
      gatewayCpuMsPerOp: g.cpuMsPerOp,
      floorCpuMsPerOp: f.cpuMsPerOp,
      ratio: g.cpuMsPerOp / f.cpuMsPerOp,
    };
    console.error(
      `${scenario.id} at ${rate} req/s each: gateway ${g.cpuMsPerOp.toFixed(2)}, floor ${f.cpuMsPerOp.toFixed(2)} CPU ms/op, ${g.failures + f.failures} failures`,
    );
  }
  return {
    id: scenario.id,
    title: scenario.title,
    instances: scenario.instances,
    minimum: scenario.minimum ?? null,
    gateway,
    floor,
    ratio: {
      rps: gateway.rps.median / floor.rps.median,
      p50: gateway.p50 / floor.p50,
      p99: gateway.p99 / floor.p99,
      cpuMsPerOp: gateway.cpuMsPerOp / floor.cpuMsPerOp,
      upstreamPerOp: totalRequests(gateway.upstreamPerOp) / totalRequests(floor.upstreamPerOp),
    },
    ...(equalRate ? { equalRate } : {}),
    ...(scenario.sequential
      ? {
          sequentialP50: {
            gateway: await sequentialP50(servers[0], body, expected[0] ?? ''),
            floor: await sequentialP50(servers[1], body, expected[1] ?? ''),
          },
        }
      : {}),
  };
}

/**
 * The gateway alone against a quota the simulators enforce: warmed up for QUOTA_WARMUP_S (the rate is
 * learnt meanwhile), then measured for settings.rounds × roundSeconds: the share of the quota used and
 * the 429s caused.
 */
async function runQuotaScenario(scenario: Scenario, gateway: Server, sims: Simulators): Promise<QuotaResult> {
  const quota = scenario.quota ?? {};
  const body = scenario.body(sims.info.ids);
  const setQuota = async (perSecond: (provider: string) => number) => {
    for (const provider of Object.keys(quota)) {
      await fetch(`${sims.info.control}/__quota?sim=${provider}&perSecond=${perSecond(provider)}`, {
        method: 'POST',
      });
    }
  };
  await setQuota((provider) => quota[provider as keyof typeof quota] ?? 0);
  try {
    await runFor(gateway, body, QUOTA_WARMUP_S);
    await upstreamCounts(sims);
    const seconds = settings.rounds * settings.roundSeconds;
    const { requests, failures } = await runFor(gateway, body, seconds);
    const counts = await upstreamCounts(sims);
    const accepted: Record<string, { perSecond: number; share: number }> = {};
    const refused: Record<string, { count: number; share: number }> = {};
    for (const [provider, limit] of Object.entries(quota)) {
      const routes = counts[provider as keyof Counts] ?? {};
      const total = Object.entries(routes)
        .filter(([route]) => route !== 'non2xx' && route !== 'status429')
        .reduce((n, [, c]) => n + c, 0);
      const ok = total - (routes.non2xx ?? 0);
      accepted[provider] = { perSecond: ok / seconds, share: ok / seconds / limit };
      refused[provider] = {
        count: routes.status429 ?? 0,
        share: total === 0 ? 0 : (routes.status429 ?? 0) / total,
      };
    }
    const result: QuotaResult = {
      id: scenario.id,
      title: scenario.title,
      quota,
      seconds,
      operationsPerSecond: requests / seconds,
      accepted,
      refused,
      failures,
    };
    console.error(`${scenario.id}: ${JSON.stringify({ accepted, refused, failures })}`);
    return result;
  } finally {
    await setQuota(() => 0);
  }
}

async function main(): Promise<void> {
  if (!existsSync(join(gatewayDir, 'dist/main.js'))) {
    throw new Error(`${gatewayDir}/dist/main.js is missing: run \`npm run build\``);
  }
  const sims = await startSimulators(settings.latencyMs);
  const credentials = await benchCredentials(settings.auth);
  const redis = settings.redis ? await RedisServer.start() : null;
  const gatewayConfig = redis === null ? {} : { redis: { path: redis.socket, keyPrefix: 'bench:' } };
  const results: ScenarioResult[] = [];
  const quotaRuns: QuotaResult[] = [];
  try {
    // One gateway per directory layout: how many instances, whether the user cache is on, and whether
    // the limits are the defaults.
    const layoutOf = (s: Scenario) => `${s.instances}:${s.cache === true}:${s.defaults === true}`;
    const layouts = [...new Set(scenarios.map(layoutOf))];
    for (const layout of layouts) {
      const [instances, cache, defaults] = layout.split(':');
      const directories = benchDirectories(
        sims.info,
        Number(instances),
        settings.directoryConcurrency,
        CONNECTIONS,
        cache === 'true',
        defaults === 'true',
      );
      let gateway: Server | undefined;
      let floor: Server | undefined;
      try {
        gateway = await startGateway(
          'gateway',
          gatewayDir,
          directories,
          credentials,
          profileDir('gateway'),
          [],
          { config: gatewayConfig },
        );
        floor = await startFloor(directories, credentials, profileDir('floor'));
        for (const scenario of scenarios.filter((s) => layoutOf(s) === layout)) {
          if (scenario.quota) quotaRuns.push(await runQuotaScenario(scenario, gateway, sims));
          else results.push(await runScenario(scenario, [gateway, floor], sims));
        }
      } finally {
        await stop(gateway?.process);
        await stop(floor?.process);
      }
    }
  } finally {
    await stop(sims.process);
    await credentials.close();
    await redis?.close();
  }

  const bench: BenchResults = {
    date: new Date().toISOString(),
    machine: {
      cpus: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()),
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      node: process.version,
      os: `${process.platform} ${release()}`,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
    },
    settings,
    scenarios: results,
    ...(quotaRuns.length > 0 ? { quotaRuns } : {}),
  };
  console.error(renderTables(bench));
  if (only) {
    // A partial run must not replace the full results.
    const partial = join(tmpdir(), 'usergraph-bench-results.json');
    writeFileSync(partial, `${JSON.stringify(bench, null, 2)}\n`);
    console.error(`BENCH_ONLY: wrote ${partial} only`);
    return;
  }
  writeFileSync(join(ROOT, 'bench/results.json'), `${JSON.stringify(bench, null, 2)}\n`);
  writeReport(join(ROOT, 'BENCHMARKS.md'), bench);
  console.error('wrote bench/results.json and BENCHMARKS.md');
}

main().catch((error: unknown) => {
  console.error('bench failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});
