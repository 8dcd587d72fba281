// Compares two gateway builds under the same load, to keep only the changes the figures support:
//   tsx bench/compare.ts <dir A> <dir B> [scenario ids, default S1,S2]
// Each directory holds a built checkout (dist/main.js). Rounds alternate A B B A A B … so drift in a
// shared machine's load hits both alike; the verdict is the median of the per-pair ratios B ÷ A.
// Env: COMPARE_ROUNDS (pairs, default 6), COMPARE_SECONDS (per round, default 4), COMPARE_NODE_ARGS_A and
// COMPARE_NODE_ARGS_B (space-separated node options for one side, e.g. V8 flags), COMPARE_AUTH_A and
// COMPARE_AUTH_B (none, jwt or api-key: how that side authenticates callers; default none; legacy for
// a build from before authentication existed), COMPARE_CONFIG_A and COMPARE_CONFIG_B (JSON merged into
// that side's config, e.g. '{"metrics":{"enabled":false}}'), COMPARE_CONCURRENCY_A and
// COMPARE_CONCURRENCY_B (that side's directory `concurrency`, default 8), COMPARE_ENV_A and COMPARE_ENV_B (JSON
// environment for that side; "$OTLP_SINK" stands for an OTLP/HTTP endpoint that drops what it gets),
// so one build can be measured against itself with a feature on and off; COMPARE_RUNS (default 1): whole
// runs, each with fresh gateway processes, whose per-run verdicts are listed and their median printed
// (a process keeps what it got, its JIT's choices and its heap's layout, through all of one run's pairs,
// so runs disagree more than pairs do: BENCHMARKS.md "Method").
import { benchDirectories } from './directories.js';
import {
  type BenchAuth,
  benchCredentials,
  CONNECTIONS,
  measureRound,
  type Server,
  startGateway,
  startOtlpSink,
  startSimulators,
  verify,
  warmUp,
} from './harness.js';
import { stop } from './processes.js';
import { median, type Round } from './results.js';
import { SCENARIOS } from './scenarios.js';

const [dirA, dirB, ids = 'S1,S2'] = process.argv.slice(2);
if (!dirA || !dirB) {
  console.error('usage: tsx bench/compare.ts <dir A> <dir B> [scenario ids]');
  process.exit(2);
}
/** Each side's built checkout. */
const checkouts: Record<'A' | 'B', string> = { A: dirA, B: dirB };
const pairs = Number(process.env.COMPARE_ROUNDS ?? 6);
const runs = Number(process.env.COMPARE_RUNS ?? 1);
const seconds = Number(process.env.COMPARE_SECONDS ?? 4);
const wanted = ids.split(',');
const authOf = (side: 'A' | 'B') => (process.env[`COMPARE_AUTH_${side}`] ?? 'none') as BenchAuth;
const credentials = { A: await benchCredentials(authOf('A')), B: await benchCredentials(authOf('B')) };
const sink = await startOtlpSink();
const json = (name: string) => JSON.parse(process.env[name] ?? '{}') as Record<string, unknown>;
const envOf = (side: 'A' | 'B') =>
  Object.fromEntries(
    Object.entries(json(`COMPARE_ENV_${side}`)).map(([key, value]) => [
      key,
      String(value).replaceAll('$OTLP_SINK', sink.url),
    ]),
  );
const sims = await startSimulators(5);
const servers: Server[] = [];
/** Per scenario and figure, each run's median of the pairs' B ÷ A. */
const verdicts = new Map<string, number[]>();

/** One side's gateway over `instances` directory instances per provider. */
function startSide(side: 'A' | 'B', instances: number): Promise<Server> {
  const concurrency = Number(process.env[`COMPARE_CONCURRENCY_${side}`] ?? 8);
  const directories = benchDirectories(sims.info, instances, concurrency, CONNECTIONS);
  const args = process.env[`COMPARE_NODE_ARGS_${side}`]?.split(' ').filter(Boolean) ?? [];
  return startGateway(side, checkouts[side], directories, credentials[side], undefined, args, {
    beforeLimits: process.env[`COMPARE_BEFORE_LIMITS_${side}`] === '1',
    config: json(`COMPARE_CONFIG_${side}`),
    env: envOf(side),
  });
}

/** Alternating rounds of one scenario on both sides; prints and records the verdicts. */
async function compareScenario(scenario: (typeof SCENARIOS)[number], a: Server, b: Server): Promise<void> {
  const body = scenario.body(sims.info.ids);
  const expected = await verify(scenario.id, body, [a, b]);
  const amountA = await warmUp(a, body, 3, seconds);
  const amountB = await warmUp(b, body, 3, seconds);
  const rounds: [Round, Round][] = [];
  for (let i = 0; i < pairs; i += 1) {
    const runA = () => measureRound(a, body, expected[0] ?? '', sims, amountA);
    const runB = () => measureRound(b, body, expected[1] ?? '', sims, amountB);
    if (i % 2 === 0) {
      const ra = await runA();
      rounds.push([ra, await runB()]);
    } else {
      const rb = await runB();
      rounds.push([await runA(), rb]);
    }
  }
  const show = (label: string, pick: (r: Round) => number) => {
    const ma = median(rounds.map(([ra]) => pick(ra)));
    const mb = median(rounds.map(([, rb]) => pick(rb)));
    const paired = median(rounds.map(([ra, rb]) => pick(rb) / pick(ra)));
    const key = `${scenario.id} ${label.padEnd(10)}`;
    verdicts.set(key, [...(verdicts.get(key) ?? []), paired]);
    console.log(
      `${key} A ${ma.toFixed(2).padStart(8)}  B ${mb.toFixed(2).padStart(8)}  B/A ${paired.toFixed(3)}`,
    );
  };
  show('req/s', (r) => r.rps);
  show('CPU ms/op', (r) => r.cpuMsPerOp);
  show('p50 ms', (r) => r.p50);
  show('p99 ms', (r) => r.p99);
  const failures = rounds.reduce((n, [ra, rb]) => n + ra.failures + rb.failures, 0);
  if (failures > 0) console.log(`${scenario.id} ${failures} failed requests`);
}

try {
  const scenarios = SCENARIOS.filter((s) => wanted.includes(s.id));
  for (let run = 1; run <= runs; run += 1) {
    if (runs > 1) console.log(`run ${run} of ${runs}`);
    for (const instances of [...new Set(scenarios.map((s) => s.instances))]) {
      servers.push(await startSide('A', instances), await startSide('B', instances));
      const [a, b] = servers as [Server, Server];
      for (const scenario of scenarios.filter((s) => s.instances === instances)) {
        await compareScenario(scenario, a, b);
      }
      for (const server of servers.splice(0)) await stop(server.process);
    }
  }
  if (runs > 1) {
    for (const [key, each] of verdicts) {
      const list = each.map((ratio) => ratio.toFixed(3)).join(' ');
      console.log(`${key} B/A over ${runs} runs: median ${median(each).toFixed(3)} (${list})`);
    }
  }
} finally {
  for (const server of servers) await stop(server.process);
  await stop(sims.process);
  if (sink.received.requests > 0)
    console.log(`OTLP sink: ${sink.received.requests} exports, ${(sink.received.bytes / 1e6).toFixed(1)} MB`);
  await sink.close();
  await credentials.A.close();
  await credentials.B.close();
}
