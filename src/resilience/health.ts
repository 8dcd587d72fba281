import type { ErrorCode } from '../errors.js';
import type { CircuitState } from './circuit-breaker.js';

export type HealthState = 'UP' | 'DEGRADED' | 'DOWN';

/** One directory's health as usergraph sees it from its own calls (no extra probing traffic). */
export interface DirectoryHealth {
  /** DOWN: circuit open or credentials rejected; DEGRADED: half-open, recent failures or a recent error. */
  readonly state: HealthState;
  readonly circuit: CircuitState;
  readonly lastError: { readonly code: ErrorCode; readonly at: string } | null;
  /** Over the last 100 upstream calls; null before the first. */
  readonly latency: {
    readonly p50Ms: number | null;
    readonly p95Ms: number | null;
    readonly samples: number;
  };
}
