// The part of autocannon 8's programmatic API the bench uses (the package ships no types).
declare module 'autocannon' {
  interface Histogram {
    readonly average: number;
    readonly mean: number;
    readonly min: number;
    readonly max: number;
    readonly total: number;
    readonly p50: number;
    readonly p99: number;
  }

  interface Options {
    readonly url: string;
    readonly connections?: number;
    readonly duration?: number;
    /** Requests to send in all; takes precedence over duration. */
    readonly amount?: number;
    /** Requests per second across all connections (open-loop pacing). */
    readonly overallRate?: number;
    readonly method?: 'GET' | 'POST';
    readonly headers?: Readonly<Record<string, string>>;
    readonly body?: string;
    readonly expectBody?: string;
    readonly timeout?: number;
    /** ms between samples of the per-second histograms. */
    readonly sampleInt?: number;
  }

  interface Result {
    readonly requests: Histogram;
    readonly latency: Histogram;
    readonly duration: number;
    readonly errors: number;
    readonly timeouts: number;
    readonly mismatches: number;
    readonly non2xx: number;
    readonly '2xx': number;
  }

  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
