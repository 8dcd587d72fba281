import type { Registry } from 'prom-client';

// A counter and a histogram for the metrics updated on hot paths: every upstream attempt counts once
// in a pair of them, every operation in three. prom-client hashes the label object on every
// inc/observe, its bound children included (~1.5 µs per attempt, 2.8% of a 60-user query's CPU:
// BENCHMARKS.md, issue 17).
// Here a label set is bound once, to a slot updated with a few additions; the registry reads the slots
// at scrape time through prom-client's own metric contract (`get`), so the exposition is prom-client's
// (same names, help, label order and `le` buckets as its Counter and Histogram).

type Labels = Readonly<Record<string, string>>;

interface Sample {
  readonly labels: Record<string, string | number>;
  readonly sharedLabels?: Labels;
  readonly value: number;
  readonly metricName?: string;
  /** prom-client's JSON carries it (null: exemplars are off). */
  readonly exemplar?: null;
}

/** What prom-client's registry reads from a metric. */
interface MetricContract {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly aggregator: 'sum';
  get(): Promise<{ name: string; help: string; type: string; values: Sample[]; aggregator: 'sum' }>;
  getForPromString(): Promise<{
    name: string;
    help: string;
    type: string;
    values: Sample[];
    aggregator: 'sum';
  }>;
}

abstract class BoundSeries<Slot> implements MetricContract {
  abstract readonly type: 'counter' | 'histogram';
  readonly aggregator = 'sum' as const;
  protected readonly slots = new Map<string, { readonly labels: Labels; readonly slot: Slot }>();

  constructor(
    readonly name: string,
    readonly help: string,
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  /** The slot for one label set, made at first use (label sets are few: directories × routes × outcomes). */
  protected slotFor(labels: Labels, make: () => Slot): Slot {
    let key = '';
    for (const name in labels) key += `${labels[name]}\u0000`;
    let entry = this.slots.get(key);
    if (entry === undefined) {
      entry = { labels: { ...labels }, slot: make() };
      this.slots.set(key, entry);
    }
    return entry.slot;
  }

  protected abstract samples(): Sample[];

  /** For the text exposition: a histogram's series labels travel apart from `le`, as prom-client's do. */
  async getForPromString() {
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      values: this.samples(),
      aggregator: this.aggregator,
    };
  }

  /** For JSON readers (getMetricsAsJSON, getSingleMetric().get()): every label in `labels`. */
  async get() {
    const values = this.samples().map(({ labels, sharedLabels, ...rest }) => ({
      ...rest,
      labels: { ...labels, ...sharedLabels },
    }));
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

/** A monotonic counter; `bind(labels)` gives the function that adds one to that series. */
export class BoundCounter extends BoundSeries<{ value: number }> {
  readonly type = 'counter' as const;

  /** The function that adds one to the series of `labels` (found once: for a hot caller). */
  bind(labels: Labels): () => void {
    const slot = this.slot(labels);
    return () => {
      slot.value += 1;
    };
  }

  /** Adds one to the series of `labels`. */
  inc(labels: Labels): void {
    this.slot(labels).value += 1;
  }

  private slot(labels: Labels): { value: number } {
    return this.slotFor(labels, () => ({ value: 0 }));
  }

  protected samples(): Sample[] {
    return [...this.slots.values()].map(({ labels, slot }) => ({ labels: { ...labels }, value: slot.value }));
  }
}

interface HistogramSlot {
  /** Observations per bucket (not cumulative); the last counts those above every bound. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

/** A histogram over fixed upper bounds; `bind(labels)` gives the function that observes a value. */
export class BoundHistogram extends BoundSeries<HistogramSlot> {
  readonly type = 'histogram' as const;

  constructor(
    name: string,
    help: string,
    private readonly bounds: readonly number[],
    registry: Registry,
  ) {
    super(name, help, registry);
  }

  /** The function that observes a value in the series of `labels` (found once: for a hot caller). */
  bind(labels: Labels): (value: number) => void {
    const slot = this.slot(labels);
    return (value) => this.add(slot, value);
  }

  /** Observes a value in the series of `labels`. */
  observe(labels: Labels, value: number): void {
    this.add(this.slot(labels), value);
  }

  private slot(labels: Labels): HistogramSlot {
    return this.slotFor(labels, () => ({
      counts: new Float64Array(this.bounds.length + 1),
      sum: 0,
      count: 0,
    }));
  }

  private add(slot: HistogramSlot, value: number): void {
    const bounds = this.bounds;
    let index = 0;
    while (index < bounds.length && value > (bounds[index] as number)) index += 1;
    slot.counts[index] = (slot.counts[index] as number) + 1;
    slot.sum += value;
    slot.count += 1;
  }

  protected samples(): Sample[] {
    const bucket = `${this.name}_bucket`;
    const out: Sample[] = [];
    for (const { labels, slot } of this.slots.values()) {
      let cumulative = 0;
      this.bounds.forEach((le, index) => {
        cumulative += slot.counts[index] as number;
        out.push({
          labels: { le },
          sharedLabels: labels,
          value: cumulative,
          metricName: bucket,
          exemplar: null,
        });
      });
      out.push({
        labels: { le: '+Inf' },
        sharedLabels: labels,
        value: slot.count,
        metricName: bucket,
        exemplar: null,
      });
      out.push({ labels: {}, sharedLabels: labels, value: slot.sum, metricName: `${this.name}_sum` });
      out.push({ labels: {}, sharedLabels: labels, value: slot.count, metricName: `${this.name}_count` });
    }
    return out;
  }
}
