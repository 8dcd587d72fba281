import { UpstreamError } from '../directory/failures.js';
import type { ProviderKind } from '../directory/model.js';
import type { AdaptiveRate } from './adaptive-rate.js';
import { deadlinePassed, delay } from './deadline.js';
import { FairQueue, type Share } from './fair-queue.js';
import { TokenBucket, type TokenSource, type Varying } from './token-bucket.js';

/** The bucket size: as configured, or a fifth of a second of the current rate (at least 1). */
export function burstOf(options: { readonly rate: AdaptiveRate; readonly burst: number | null }): Varying {
  const { burst, rate } = options;
  return burst ?? (() => Math.max(1, Math.ceil(rate.current / 5)));
}

export interface OutboundLimiterOptions {
  readonly provider: ProviderKind;
  /** The outbound rate: fixed, or learnt from the directory (adaptive-rate.ts). */
  readonly rate: AdaptiveRate;
  /** Bucket size; null: a fifth of a second of the current rate, at least 1. */
  readonly burst: number | null;
  readonly maxConcurrent: number;
  readonly now?: () => number;
  /** Where tokens come from: a bucket every replica shares; this process's own by default. */
  readonly tokens?: TokenSource;
  /** Told of every hold-off the provider asked for, to pass it on to the other replicas. */
  readonly onHoldOff?: (ms: number) => void;
}

interface Waiter {
  readonly grant: () => void;
}

/**
 * Outbound traffic to one directory, shared by every GraphQL request: at most `maxConcurrent` calls in
 * flight, a token bucket of `requestsPerSecond` (bursts of `burst`), and a pause while the provider
 * has asked us (429 Retry-After) to hold off. Callers queue rather than fail, but never past their
 * deadline: a wait that would end after it fails at once.
 */
export class OutboundLimiter {
  private readonly provider: ProviderKind;
  /** Calls in flight at most, across every GraphQL request. */
  readonly maxConcurrent: number;
  private readonly now: () => number;
  private readonly tokens: TokenSource;
  /** `tokens` when it is a bucket in this process, which answers synchronously (the fast path). */
  private readonly localTokens: TokenBucket | null;
  readonly rate: AdaptiveRate;
  private readonly onHoldOff: ((ms: number) => void) | undefined;
  private pausedUntil = 0;
  private active = 0;
  private readonly queue = new FairQueue<Waiter>();

  constructor(options: OutboundLimiterOptions) {
    this.provider = options.provider;
    this.maxConcurrent = options.maxConcurrent;
    this.now = options.now ?? Date.now;
    this.rate = options.rate;
    this.tokens = options.tokens ?? new TokenBucket(() => this.rate.current, burstOf(options), this.now);
    this.localTokens = this.tokens instanceof TokenBucket ? this.tokens : null;
    this.onHoldOff = options.onHoldOff;
  }

  get inFlight(): number {
    return this.active;
  }

  /** Calls waiting for a slot. */
  get waiting(): number {
    return this.queue.size;
  }

  /** Holds off every call until `until` (epoch ms): the provider, or another replica, asked for it. */
  pause(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }

  /** The provider asked for `ms` of quiet (429 Retry-After): here, and on every replica told of it. */
  holdOff(ms: number): void {
    this.pause(this.now() + ms);
    this.onHoldOff?.(ms);
  }

  /**
   * Waits for a slot and a token; resolves with the function that gives the slot back. Callers waiting
   * for a slot are served round-robin by `share` (principal, then request): fair-queue.ts.
   */
  async acquire(
    operation: string,
    deadline: number,
    signal?: AbortSignal,
    share?: Share,
  ): Promise<() => void> {
    const timedOut = () => deadlinePassed(this.provider, operation, 'request deadline passed while queued');
    await this.slot(signal, timedOut, share);
    const release = this.releaser();
    try {
      for (;;) {
        const paused = this.pauseIfAsked(operation, deadline, signal, timedOut);
        if (paused !== undefined) await paused;
        // The local bucket answers at once; only a shared one makes this wait for Redis.
        const taken = this.tokens.take(deadline - this.now());
        const wait = taken instanceof Promise ? await taken : taken;
        if (wait === null) {
          throw deadlinePassed(
            this.provider,
            operation,
            'outbound rate limit leaves no time before the deadline',
          );
        }
        if (wait > 0) {
          // Callers queue for tokens: the rate is what limits traffic, so it may rise.
          this.rate.noteWaited();
          await delay(wait, signal, () => {
            this.tokens.giveBack();
            return timedOut();
          });
        }
        if (this.pausedUntil <= this.now()) {
          this.rate.noteSent();
          break;
        }
        // A hold-off arrived while this call waited for its token: that slot fell inside the quiet the
        // provider asked for. Give it back and queue for a new one after the hold-off, so the calls
        // held up do not all go out at once when it ends (which would break the quota and draw the
        // next 429).
        this.tokens.giveBack();
      }
    } catch (error) {
      release();
      throw error;
    }
    return release;
  }

  /**
   * The common case without a wait: a free slot, no hold-off and a token in this process's own bucket
   * now. Takes them and returns the release; null (having taken nothing) when any of them would mean
   * waiting, and `acquire` is the way. Saves the guard a promise and its turns per call (BENCHMARKS.md).
   */
  tryAcquire(): (() => void) | null {
    if (this.localTokens === null || this.active >= this.maxConcurrent) return null;
    if (this.pausedUntil > this.now() || this.localTokens.take(0) !== 0) return null;
    this.active += 1;
    this.rate.noteSent();
    return this.releaser();
  }

  /** Gives a slot back once: to the next caller waiting for one, or to the pool. */
  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      if (next) next.grant();
      else this.active -= 1;
    };
  }

  /** Waits out a hold-off (the provider's Retry-After, here or on another replica); undefined when none is on. */
  private pauseIfAsked(
    operation: string,
    deadline: number,
    signal: AbortSignal | undefined,
    timedOut: () => UpstreamError,
  ): Promise<void> | undefined {
    const paused = this.pausedUntil - this.now();
    if (paused <= 0) return undefined;
    if (this.now() + paused > deadline) return Promise.reject(this.rateLimited(operation, paused));
    return delay(paused, signal, timedOut);
  }

  private slot(signal: AbortSignal | undefined, timedOut: () => UpstreamError, share?: Share): Promise<void> {
    if (this.active < this.maxConcurrent) {
      this.active += 1;
      return Promise.resolve();
    }
    if (signal?.aborted) return Promise.reject(timedOut());
    return new Promise((resolve, reject) => {
      const abort = () => {
        this.queue.remove(waiter, share);
        reject(timedOut());
      };
      // The releasing call hands its slot over: `active` stays as it is.
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', abort);
          resolve();
        },
      };
      this.queue.push(waiter, share);
      signal?.addEventListener('abort', abort, { once: true });
    });
  }

  private rateLimited(operation: string, waitMs: number): UpstreamError {
    return new UpstreamError({
      provider: this.provider,
      kind: 'rate_limited',
      operation,
      detail: 'holding off as the provider asked (Retry-After)',
      retryAfterMs: waitMs,
    });
  }
}
