import type { Counts } from './scenarios.js';

// What one bench run measured, as written to bench/results.json.

export type Target = 'gateway' | 'floor';

export interface Round {
  readonly requests: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  /** The server process's own user + system CPU, per operation. */
  readonly cpuMsPerOp: number;
  /** The simulators process's CPU per operation (the shared upstream cost, for context). */
  readonly simulatorsCpuMsPerOp: number;
  /** Connection errors, timeouts, non-2xx answers and bodies that differ from the verified answer. */
  readonly failures: number;
  readonly upstream: Counts;
  /** The server process's resident memory right after the round, MB. */
  readonly rssMb: number;
}

export interface TargetSummary {
  readonly rps: { readonly median: number; readonly min: number; readonly max: number };
  readonly p50: number;
  readonly p99: number;
  readonly cpuMsPerOp: number;
  readonly simulatorsCpuMsPerOp: number;
  readonly failures: number;
  /** The largest resident memory seen right after a round, MB. */
  readonly rssMb: number;
  /** Upstream requests per operation under load, by directory and route. */
  readonly upstreamPerOp: Counts;
  /** Upstream requests of one operation sent alone (exact), by directory and route. */
  readonly upstreamSingle: Counts;
  readonly rounds: readonly Round[];
}

export interface ScenarioResult {
  readonly id: string;
  readonly title: string;
  readonly instances: number;
  readonly minimum: Counts | null;
  readonly gateway: TargetSummary;
  readonly floor: TargetSummary;
  /** gateway ÷ floor. */
  readonly ratio: {
    readonly rps: number;
    readonly p50: number;
    readonly p99: number;
    readonly cpuMsPerOp: number;
    readonly upstreamPerOp: number;
  };
  readonly equalRate?: EqualRate;
  /** Median latency (ms) of one client sending one operation after another. */
  readonly sequentialP50?: { readonly gateway: number; readonly floor: number };
}

/** A scenario against a quota the simulators enforce: the gateway alone (issue 18). */
export interface QuotaResult {
  readonly id: string;
  readonly title: string;
  /** Requests per second the simulator allows, by simulator. */
  readonly quota: Readonly<Record<string, number>>;
  readonly seconds: number;
  readonly operationsPerSecond: number;
  /** Per simulator: answered 2xx per second, and that as a share of its quota. */
  readonly accepted: Readonly<Record<string, { readonly perSecond: number; readonly share: number }>>;
  /** Per simulator: requests answered 429, and their share of its requests. */
  readonly refused: Readonly<Record<string, { readonly count: number; readonly share: number }>>;
  readonly failures: number;
}

/**
 * CPU per operation with both servers paced at the same request rate (half the gateway's throughput),
 * since a server's CPU per operation depends on how busy it is.
 */
export interface EqualRate {
  readonly rps: number;
  readonly gatewayCpuMsPerOp: number;
  readonly floorCpuMsPerOp: number;
  readonly ratio: number;
}

export interface BenchResults {
  readonly date: string;
  readonly machine: {
    readonly cpus: number;
    readonly cpuModel: string;
    readonly node: string;
    readonly os: string;
    readonly memoryGiB: number;
  };
  readonly settings: {
    readonly latencyMs: number;
    readonly connections: number;
    readonly roundSeconds: number;
    readonly warmupSeconds: number;
    readonly rounds: number;
    readonly directoryConcurrency: number;
    /** Absent in runs from before authentication existed (none). */
    readonly auth?: string;
    /** The upstream transport (absent in runs from before TLS: plain HTTP). */
    readonly upstream?: string;
    /** The gateway had a `redis:` (BENCH_REDIS=1); absent in runs from before it: none. */
    readonly redis?: boolean;
    readonly gateway: string;
    readonly floor: string;
  };
  readonly scenarios: readonly ScenarioResult[];
  readonly quotaRuns?: readonly QuotaResult[];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Upstream requests of every directory and route together (404s and other non-2xx are in `non2xx`). */
export function totalRequests(counts: Counts): number {
  let total = 0;
  for (const routes of Object.values(counts)) {
    for (const [route, n] of Object.entries(routes ?? {})) if (route !== 'non2xx') total += n;
  }
  return total;
}

const same = (a: number | undefined, b: number) => a !== undefined && Math.abs(a - b) < 0.005;

/** Whether every route of `minimum` was called that often (per operation) and no other route at all. */
export function atMinimum(counts: Counts, minimum: Counts): boolean {
  return (
    same(totalRequests(counts), totalRequests(minimum)) &&
    Object.entries(minimum).every(([provider, routes]) =>
      Object.entries(routes ?? {}).every(([route, n]) => same(counts[provider as keyof Counts]?.[route], n)),
    )
  );
}
