// Issue 30's must-hold ratios, as a verdict over several whole runs of bench/run.ts (each its own
// process pair: on a shared machine one run is one sample). Runs `BENCH_ONLY=S1,S2` MUST_HOLD_RUNS times
// (default 3; every other BENCH_* setting passes through: BENCH_TLS, BENCH_CONCURRENCY, BENCH_AUTH…),
// prints each run's gateway ÷ floor figures and their medians against the thresholds: S1 req/s ≥ 0.85×,
// S2 req/s ≥ 0.80×, S2 CPU/op ≤ 1.35×, p99 ≤ 1.3×, upstream calls at the contract minimum.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Side {
  readonly rps: { readonly median: number };
  readonly p99: number;
  readonly cpuMsPerOp: number;
  readonly upstreamSingle: Record<string, Record<string, number>>;
}
interface Scenario {
  readonly id: string;
  readonly minimum: Record<string, Record<string, number>>;
  readonly gateway: Side;
  readonly floor: Side;
}

const runs = Number(process.env.MUST_HOLD_RUNS ?? 3);
const RULES = [
  ['S1 req/s', (s1: Scenario) => s1.gateway.rps.median / s1.floor.rps.median, '≥', 0.85],
  ['S1 p99', (s1: Scenario) => s1.gateway.p99 / s1.floor.p99, '≤', 1.3],
] as const;
const S2_RULES = [
  ['S2 req/s', (s2: Scenario) => s2.gateway.rps.median / s2.floor.rps.median, '≥', 0.8],
  ['S2 CPU/op', (s2: Scenario) => s2.gateway.cpuMsPerOp / s2.floor.cpuMsPerOp, '≤', 1.35],
  ['S2 p99', (s2: Scenario) => s2.gateway.p99 / s2.floor.p99, '≤', 1.3],
] as const;

/** Whether the gateway's single-operation upstream calls are the contract minimum, route by route. */
const atMinimum = (scenario: Scenario) =>
  Object.entries(scenario.minimum).every(([directory, routes]) =>
    Object.entries(routes).every(
      ([route, calls]) => scenario.gateway.upstreamSingle[directory]?.[route] === calls,
    ),
  );

const figures = new Map<string, number[]>();
let minimumHeld = true;
for (let run = 1; run <= runs; run += 1) {
  const child = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts'], {
    env: { ...process.env, BENCH_ONLY: 'S1,S2' },
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (child.status !== 0) {
    process.stderr.write(child.stderr);
    throw new Error(`bench/run.ts exited with ${child.status} in run ${run}`);
  }
  const { scenarios } = JSON.parse(readFileSync(join(tmpdir(), 'usergraph-bench-results.json'), 'utf8')) as {
    scenarios: Scenario[];
  };
  const s1 = scenarios.find((scenario) => scenario.id === 'S1');
  const s2 = scenarios.find((scenario) => scenario.id === 'S2');
  if (s1 === undefined || s2 === undefined) throw new Error('bench/run.ts wrote no S1 or S2');
  minimumHeld &&= atMinimum(s1) && atMinimum(s2);
  const line: string[] = [];
  for (const [name, ratio] of RULES) figures.set(name, [...(figures.get(name) ?? []), ratio(s1)]);
  for (const [name, ratio] of S2_RULES) figures.set(name, [...(figures.get(name) ?? []), ratio(s2)]);
  for (const [name, values] of figures) line.push(`${name} ${(values.at(-1) ?? 0).toFixed(2)}×`);
  console.log(`run ${run}: ${line.join(', ')}`);
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
let held = minimumHeld;
for (const [name, , sense, bound] of [...RULES, ...S2_RULES]) {
  const value = median(figures.get(name) ?? []);
  const ok = sense === '≥' ? value >= bound : value <= bound;
  held &&= ok;
  console.log(
    `${name.padEnd(10)} median ${value.toFixed(2)}× (${sense} ${bound}×) ${ok ? 'holds' : 'NOT MET'}`,
  );
}
console.log(`upstream calls at the contract minimum in every run: ${minimumHeld ? 'yes' : 'NO'}`);
console.log(held ? 'must-hold: met' : 'must-hold: not met');
