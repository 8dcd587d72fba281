// Issue 30's must-hold ratios, as a verdict over several whole runs of bench/run.ts (each its own
// process pair: on a shared machine one run is one sample). Runs `BENCH_ONLY=S1,S2` MUST_HOLD_RUNS times
// (default 3; every other BENCH_* setting passes through: BENCH_TLS, BENCH_REDIS, BENCH_CONCURRENCY, BENCH_AUTH…),
// prints each run's gateway ÷ floor figures and their medians against the thresholds: S1 req/s ≥ 0.85×,
// S2 req/s ≥ 0.80×, S2 CPU/op ≤ 1.35×, p99 ≤ 1.3×, upstream calls at the contract minimum.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atMinimum, type BenchResults, median, type ScenarioResult } from './results.js';

const runs = Number(process.env.MUST_HOLD_RUNS ?? 3);
/** Scenario, figure of its gateway ÷ floor ratio, which way it must hold, and the bound. */
const RULES = [
  ['S1', 'rps', '≥', 0.85],
  ['S1', 'p99', '≤', 1.3],
  ['S2', 'rps', '≥', 0.8],
  ['S2', 'cpuMsPerOp', '≤', 1.35],
  ['S2', 'p99', '≤', 1.3],
] as const;
const nameOf = ([scenario, figure]: (typeof RULES)[number]) => `${scenario} ${figure}`;

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
  const { scenarios } = JSON.parse(
    readFileSync(join(tmpdir(), 'usergraph-bench-results.json'), 'utf8'),
  ) as BenchResults;
  const byId = new Map<string, ScenarioResult>(scenarios.map((scenario) => [scenario.id, scenario]));
  const line: string[] = [];
  for (const rule of RULES) {
    const scenario = byId.get(rule[0]);
    if (scenario === undefined) throw new Error(`bench/run.ts wrote no ${rule[0]}`);
    if (scenario.minimum !== null)
      minimumHeld &&= atMinimum(scenario.gateway.upstreamSingle, scenario.minimum);
    const ratio = scenario.ratio[rule[1]];
    figures.set(nameOf(rule), [...(figures.get(nameOf(rule)) ?? []), ratio]);
    line.push(`${nameOf(rule)} ${ratio.toFixed(2)}×`);
  }
  console.log(`run ${run}: ${line.join(', ')}`);
}

let held = minimumHeld;
for (const rule of RULES) {
  const [, , sense, bound] = rule;
  const value = median(figures.get(nameOf(rule)) ?? []);
  const ok = sense === '≥' ? value >= bound : value <= bound;
  held &&= ok;
  console.log(
    `${nameOf(rule).padEnd(13)} median ${value.toFixed(2)}× (${sense} ${bound}×) ${ok ? 'holds' : 'NOT MET'}`,
  );
}
console.log(`upstream calls at the contract minimum in every run: ${minimumHeld ? 'yes' : 'NO'}`);
console.log(held ? 'must-hold: met' : 'must-hold: not met');
