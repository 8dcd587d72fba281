import { codeFor, type ErrorCode } from '../codes/failure-codes.js';
import { UpstreamError } from '../directory/failures.js';
import type { ProviderKind } from '../directory/model.js';
import type { CallOptions, DirectoryHealth } from '../directory/port.js';
import type { CallGuard, HttpCall, HttpResponse } from '../http/client.js';
import { traceOf } from '../tracing/call-trace.js';
import { AdaptiveRate } from './adaptive-rate.js';
import { endAttemptSpan, noteCircuitOpen, startAttemptSpan } from './attempt-span.js';
import { CircuitBreaker, type Verdict } from './circuit-breaker.js';
import { deadlineOf, deadlinePassed, delay } from './deadline.js';
import { shareOf } from './fair-queue.js';
import { LatencyWindow } from './latency.js';
import { type AttemptOutcome, type GuardObserver, NO_OBSERVER } from './observer.js';
import type { ResilienceOptions } from './options.js';
import { burstOf, OutboundLimiter } from './rate-limiter.js';
import { RetryBudget } from './retry-budget.js';
import type { TokenSource, Varying } from './token-bucket.js';

export interface DirectoryGuardOptions extends ResilienceOptions {
  readonly provider: ProviderKind;
  /** The directory's configured name (for traces). */
  readonly directory?: string;
  /** Told of every attempt, retry, hold-off, circuit change and wait (metrics); none by default. */
  readonly observer?: GuardObserver;
  /** Bounds a call's retries when its caller gave no deadline (token logins): the per-call timeout. */
  readonly fallbackDeadlineMs: number;
  readonly now?: () => number;
  /** [0, 1); tests pin the jitter. */
  readonly random?: () => number;
  /** The outbound quota shared with other replicas, and how hold-offs reach them (src/shared/). */
  readonly sharing?: {
    /** The shared bucket, drawing at the guard's (learnt) rate and bucket size. */
    readonly tokens: (rate: () => number, burst: Varying) => TokenSource;
    readonly onHoldOff: (ms: number) => void;
    /** Tells the other replicas the rate a 429 taught this one. */
    readonly onRateDecrease?: (rate: number) => void;
  };
}

/** A directory stays DEGRADED this long after an error its callers saw. */
const DEGRADED_AFTER_ERROR_MS = 60_000;

/**
 * Everything between a directory's clients and the network, shared by all GraphQL requests: the
 * circuit breaker, the outbound limiter, retries with backoff under a budget, and the figures
 * `Directory.health` reports. Every call usergraph makes upstream is a read (search POSTs and token
 * logins included), so every call may be retried.
 */
export class DirectoryGuard implements CallGuard {
  readonly breaker: CircuitBreaker;
  readonly limiter: OutboundLimiter;
  /** The outbound rate, fixed or learnt from the directory's 429s. */
  readonly rate: AdaptiveRate;
  readonly budget: RetryBudget;
  readonly latency = new LatencyWindow(100);
  private readonly options: DirectoryGuardOptions;
  private readonly observer: GuardObserver;
  private readonly now: () => number;
  private readonly random: () => number;
  private lastError: { code: ErrorCode; at: number } | null = null;
  private credentialsRejected = false;
  private downListener: (() => void) | null = null;

  constructor(options: DirectoryGuardOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.observer = options.observer ?? NO_OBSERVER;
    this.breaker = new CircuitBreaker(options.circuitBreaker, this.now, (from, to) => {
      this.observer.circuit(from, to);
      if (to === 'OPEN') this.downListener?.();
    });
    this.rate = new AdaptiveRate(options.rateLimit.settings, this.now, (rate) =>
      options.sharing?.onRateDecrease?.(rate),
    );
    this.limiter = new OutboundLimiter({
      provider: options.provider,
      rate: this.rate,
      burst: options.rateLimit.burst,
      maxConcurrent: options.maxConcurrent,
      now: this.now,
      ...(options.sharing
        ? {
            tokens: options.sharing.tokens(
              () => this.rate.current,
              burstOf({ rate: this.rate, burst: options.rateLimit.burst }),
            ),
            onHoldOff: options.sharing.onHoldOff,
          }
        : {}),
    });
    this.budget = new RetryBudget(options.retry.budgetRatio, options.retry.budgetMinPerSecond, this.now);
  }

  async run(
    call: HttpCall,
    options: CallOptions,
    attempt: (options: CallOptions) => Promise<HttpResponse>,
  ): Promise<HttpResponse> {
    const deadline = deadlineOf(options) ?? this.now() + this.options.fallbackDeadlineMs;
    const trace = traceOf(options);
    const { signal } = options;
    this.budget.deposit();
    let waitedBefore = 0;
    for (let number = 1; ; number += 1) {
      const circuit = this.breaker.state;
      const admission = this.breaker.admit();
      if (admission === null) {
        if (trace !== undefined) noteCircuitOpen(trace, call.operation);
        throw this.circuitOpen(call.operation);
      }
      let release = this.limiter.tryAcquire();
      let waited = 0;
      if (release === null) {
        const queuedAt = performance.now();
        try {
          release = await this.limiter.acquire(call.operation, deadline, signal, shareOf(options));
        } catch (error) {
          this.breaker.record(admission, 'ignored');
          throw error;
        }
        waited = performance.now() - queuedAt;
        if (waited > 1) this.observer.queued(this.limiter.waiting, waited / 1000);
      }
      const started = this.now();
      const began = performance.now();
      const traced =
        trace === undefined
          ? null
          : startAttemptSpan(trace, call, options, {
              directory: this.options.directory ?? '',
              provider: this.options.provider,
              number,
              retryWaitMs: waitedBefore,
              queueWaitMs: waited,
              circuit,
              deadlineLeftMs: Math.max(0, deadline - started),
            });
      // What every attempt reports as it ends: its span and the metrics.
      const ended = (outcome: AttemptOutcome, status: number | null, error: UpstreamError | null) => {
        if (traced !== null) endAttemptSpan(traced.span, outcome, status, error);
        this.observer.attempt(
          call.operation,
          outcome,
          (performance.now() - began) / 1000,
          call.token === true,
        );
      };
      let failure: UpstreamError | null = null;
      try {
        const response = await attempt(traced?.options ?? options);
        ended(statusClass(response.status), response.status, null);
        this.breaker.record(admission, 'success');
        this.latency.add(this.now() - started);
        if (response.status < 300) this.credentialsRejected = false;
        return response;
      } catch (error) {
        // Only UpstreamErrors come out of an attempt; anything else is a bug, never retried.
        if (!(error instanceof UpstreamError)) {
          traced?.span.end();
          this.breaker.record(admission, 'ignored');
          throw error;
        }
        failure = error;
        ended(outcomeOf(error), error.status, error);
      } finally {
        release();
      }
      const verdict = this.verdict(failure);
      this.breaker.record(admission, verdict);
      if (verdict !== 'ignored') this.latency.add(this.now() - started);

      // The directory's own 429 teaches the rate and holds everyone off, whether or not this caller
      // is still there to retry.
      if (failure.status === 429) this.rate.noteRateLimited();
      if (failure.kind === 'rate_limited' && failure.retryAfterMs !== null && failure.status !== null) {
        this.limiter.holdOff(failure.retryAfterMs);
        this.observer.holdOff(failure.retryAfterMs / 1000);
      }
      if (!failure.retryable || call.write === true || signal?.aborted) throw failure;
      if (number >= this.options.retry.maxAttempts) throw failure;
      const wait = failure.retryAfterMs ?? this.backoff(number);
      // Asked to wait past the deadline: answer now (a 429 becomes DIRECTORY_RATE_LIMITED with retryAfter).
      if (this.now() + wait >= deadline) throw failure;
      if (!this.budget.withdraw()) {
        this.observer.retryBudgetRefused(call.operation);
        throw failure;
      }
      this.observer.retry(call.operation);
      waitedBefore = wait;
      await delay(wait, signal, () =>
        deadlinePassed(this.options.provider, call.operation, 'request deadline passed'),
      );
    }
  }

  /** An error a caller of this directory got (from the provider's results): last error and credentials. */
  noteError(error: unknown): void {
    if (!(error instanceof Error)) return;
    this.lastError = { code: codeFor(error), at: this.now() };
    this.observer.error(this.lastError.code);
    // Only a rejected credential takes the directory DOWN: a 403 says the credential works but lacks a
    // role for one kind of read (ZITADEL's events.read, say), and users may still be served.
    if (error instanceof UpstreamError && error.kind === 'unauthorized') {
      this.credentialsRejected = true;
      this.downListener?.();
    }
  }

  /** Told whenever the directory goes DOWN (a rejected credential, an open circuit): the recovery probe. */
  whenDown(listener: () => void): void {
    this.downListener = listener;
  }

  health(): DirectoryHealth {
    const circuit = this.breaker.state;
    const recentError = this.lastError !== null && this.now() - this.lastError.at < DEGRADED_AFTER_ERROR_MS;
    const state =
      circuit === 'OPEN' || this.credentialsRejected
        ? 'DOWN'
        : circuit === 'HALF_OPEN' || this.breaker.failureRate > 0 || recentError
          ? 'DEGRADED'
          : 'UP';
    return {
      state,
      circuit,
      lastError:
        this.lastError === null
          ? null
          : { code: this.lastError.code, at: new Date(this.lastError.at).toISOString() },
      rate: this.rate.state(),
      latency: {
        p50Ms: this.latency.percentile(50),
        p95Ms: this.latency.percentile(95),
        samples: this.latency.count,
      },
    };
  }

  /** Full jitter: uniform in [0, min(max, base · 2^(n-1))]. */
  private backoff(attempt: number): number {
    const { baseDelayMs, maxDelayMs } = this.options.retry;
    return Math.floor(this.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)));
  }

  /**
   * What a failed attempt says about the directory: it failed (unreachable, 5xx, too slow for the
   * per-call bound); it answered (any other status: the provider is up); or nothing at all (the caller's
   * deadline or disconnect ended it, or it never left the process).
   */
  private verdict(failure: UpstreamError): Verdict {
    if (failure.callerCaused) return 'ignored';
    return failure.kind === 'unavailable' || failure.kind === 'timeout' ? 'failure' : 'success';
  }

  private circuitOpen(operation: string): UpstreamError {
    return new UpstreamError({
      provider: this.options.provider,
      kind: 'unavailable',
      operation,
      detail: 'circuit open: recent calls failed, not calling the provider for now',
    });
  }
}

function statusClass(status: number): AttemptOutcome {
  return status >= 500 ? '5xx' : status >= 400 ? '4xx' : status >= 300 ? '3xx' : '2xx';
}

/** A failed attempt's class: its status when the provider answered, else how it ended. */
function outcomeOf(error: UpstreamError): AttemptOutcome {
  if (error.status !== null) return statusClass(error.status);
  if (error.callerCaused) return 'aborted';
  return error.kind === 'timeout' ? 'timeout' : 'network';
}
