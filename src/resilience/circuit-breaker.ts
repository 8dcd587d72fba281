import type { CircuitState } from '../directory/port.js';

/** What one call says about the directory's health: only unavailable, timeout and 5xx are failures. */
export type Verdict = 'success' | 'failure' | 'ignored';

export interface CircuitBreakerOptions {
  readonly windowSize: number;
  readonly minimumCalls: number;
  readonly failureRatio: number;
  readonly openMs: number;
}

export interface Admission {
  /** The one call let through while half-open; its verdict closes or reopens the circuit. */
  readonly probe: boolean;
}

/**
 * Closed → open when the failure rate over the last `windowSize` calls (at least `minimumCalls`)
 * reaches `failureRatio`; open → half-open after `openMs`, when one probe goes through; the probe's
 * success closes the circuit, its failure opens it again.
 */
export class CircuitBreaker {
  private outcomes: boolean[] = [];
  private openedAt: number | null = null;
  private probing = false;

  constructor(
    private readonly options: CircuitBreakerOptions,
    private readonly now: () => number = Date.now,
    /** Told of every change of state (metrics). */
    private readonly onChange: (from: CircuitState, to: CircuitState) => void = () => {},
  ) {}

  get state(): CircuitState {
    if (this.openedAt === null) return 'CLOSED';
    return this.now() - this.openedAt < this.options.openMs ? 'OPEN' : 'HALF_OPEN';
  }

  /** Failures over calls in the current window (0 when empty). */
  get failureRate(): number {
    if (this.outcomes.length === 0) return 0;
    return this.outcomes.filter(Boolean).length / this.outcomes.length;
  }

  /** Null: fail fast, send nothing. */
  admit(): Admission | null {
    const state = this.state;
    if (state === 'CLOSED') return { probe: false };
    if (state === 'OPEN' || this.probing) return null;
    this.probing = true;
    this.onChange('OPEN', 'HALF_OPEN');
    return { probe: true };
  }

  record(admission: Admission, verdict: Verdict): void {
    if (admission.probe) {
      this.probing = false;
      if (verdict === 'success') this.close();
      else if (verdict === 'failure') this.open();
      return;
    }
    // A call admitted before the circuit opened says nothing about the probe to come.
    if (verdict === 'ignored' || this.openedAt !== null) return;
    this.outcomes.push(verdict === 'failure');
    if (this.outcomes.length > this.options.windowSize) this.outcomes.shift();
    if (this.outcomes.length >= this.options.minimumCalls && this.failureRate >= this.options.failureRatio) {
      this.open();
    }
  }

  private open(): void {
    this.onChange(this.openedAt === null ? 'CLOSED' : 'HALF_OPEN', 'OPEN');
    this.openedAt = this.now();
    this.outcomes = [];
  }

  private close(): void {
    this.onChange('HALF_OPEN', 'CLOSED');
    this.openedAt = null;
    this.outcomes = [];
  }
}
