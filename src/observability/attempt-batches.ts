import type { Counter, Histogram } from 'prom-client';
import type { AttemptOutcome, GuardObserver } from '../resilience/observer.js';

/** Durations one route keeps before handing them to prom-client: bounds what waits between scrapes. */
const BATCH = 1024;

type RouteLabels = Readonly<Record<'directory' | 'provider' | 'route', string>>;

/** One directory's route: its attempts' durations not observed yet, and its counts by outcome. */
class RouteCell {
  readonly durations = new Float64Array(BATCH);
  size = 0;
  readonly outcomes = new Map<AttemptOutcome, { requests: number; tokens: number }>();

  constructor(readonly labels: RouteLabels) {}
}

/**
 * The upstream-attempt metrics, kept per directory and route in plain fields and handed to prom-client
 * in batches: the counts when the registry is read (the counters' `collect`), the durations when a
 * route holds BATCH of them or the registry is read (the histogram's `collect`). A scrape sees exactly
 * what observing each attempt as it ended would have shown. Why: prom-client builds and hashes a label
 * set on every `inc` and `observe`; per attempt, with I/O between them, that cost S2 ~12% of its CPU,
 * where a route's batch observed at once costs a fraction (BENCHMARKS.md).
 */
export class AttemptBatches {
  /** Every route's cell, by directory and route: a reloaded directory's guard keeps its cells. */
  private readonly cells = new Map<string, RouteCell>();

  constructor(
    private readonly requests: Counter,
    private readonly duration: Histogram,
    private readonly tokens: Counter,
  ) {}

  /** What one directory's guard calls as each attempt ends: a lookup by route, then plain fields. */
  forDirectory(directory: string, provider: string): GuardObserver['attempt'] {
    const routes = new Map<string, RouteCell>();
    return (route, outcome, seconds, token) => {
      let cell = routes.get(route);
      if (cell === undefined) {
        const key = `${directory}\n${provider}\n${route}`;
        cell = this.cells.get(key) ?? new RouteCell({ directory, provider, route });
        this.cells.set(key, cell);
        routes.set(route, cell);
      }
      cell.durations[cell.size] = seconds;
      cell.size += 1;
      if (cell.size === BATCH) this.observe(cell);
      let counts = cell.outcomes.get(outcome);
      if (counts === undefined) {
        counts = { requests: 0, tokens: 0 };
        cell.outcomes.set(outcome, counts);
      }
      counts.requests += 1;
      if (token) counts.tokens += 1;
    };
  }

  /** Hands every count kept so far to the two counters. */
  flushCounts(): void {
    for (const cell of this.cells.values()) {
      for (const [outcome, counts] of cell.outcomes) {
        if (counts.requests > 0) this.requests.inc({ ...cell.labels, outcome }, counts.requests);
        if (counts.tokens > 0) this.tokens.inc({ ...cell.labels, outcome }, counts.tokens);
        counts.requests = 0;
        counts.tokens = 0;
      }
    }
  }

  /** Hands every duration kept so far to the histogram. */
  flushDurations(): void {
    for (const cell of this.cells.values()) this.observe(cell);
  }

  private observe(cell: RouteCell): void {
    if (cell.size === 0) return;
    const route = this.duration.labels(cell.labels);
    for (let index = 0; index < cell.size; index += 1) route.observe(cell.durations[index] as number);
    cell.size = 0;
  }
}
