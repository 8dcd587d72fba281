import type { CircuitState } from '../directory/port.js';

/** How an attempt ended, as metrics and traces label it (never a status code per se: a class). */
export type AttemptOutcome = '2xx' | '3xx' | '4xx' | '5xx' | 'timeout' | 'network' | 'aborted';

/**
 * What a directory's guard reports as it works (src/observability/ turns it into metrics); every
 * method is called on the hot path and must be cheap.
 */
export interface GuardObserver {
  attempt(route: string, outcome: AttemptOutcome, seconds: number, token: boolean): void;
  retry(route: string): void;
  retryBudgetRefused(route: string): void;
  holdOff(seconds: number): void;
  circuit(from: CircuitState, to: CircuitState): void;
  queued(depth: number, waitedSeconds: number): void;
  /** An error a caller of the directory got, by its public code (src/errors.ts). */
  error(code: string): void;
}

export const NO_OBSERVER: GuardObserver = {
  attempt() {},
  retry() {},
  retryBudgetRefused() {},
  holdOff() {},
  circuit() {},
  queued() {},
  error() {},
};
