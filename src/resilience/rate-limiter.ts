import { UpstreamError } from '../directory/failures.js';
import type { ProviderKind } from '../directory/model.js';
import type { AdaptiveRate } from './adaptive-rate.js';
import { deadlinePassed } from './deadline.js';
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
  readonly operation: string;
  readonly deadline: number;
  readonly share: Share | undefined;
  readonly signal: AbortSignal | undefined;
  /** Set once the waiter has a slot and a token (or failed): nothing more is done for it. */
  settled: boolean;
  resolve(release: () => void): void;
  reject(error: UpstreamError): void;
  readonly abort: () => void;
}

/**
 * Outbound traffic to one directory, shared by every GraphQL request: at most `maxConcurrent` calls in
 * flight, a token bucket of `requestsPerSecond` (bursts of `burst`), and a pause while the provider
 * has asked us (429 Retry-After) to hold off. Callers queue rather than fail, but never past their
 * deadline: a wait that would end after it fails at once.
 *
 * Slots and tokens are handed out together, one caller at a time, in the fair queue's order
 * (round-robin by principal, then request): the next token goes to the next caller in turn, never to
 * whoever reached the bucket first. So under a tight quota another principal's single call waits about
 * one turn per principal waiting, not behind every call already holding a slot.
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
  /** True while `pump` is handing out turns (one at a time). */
  private pumping = false;

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

  /** Calls waiting for their turn (a slot and a token). */
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
   * Waits for a turn (a slot and a token, in the fair queue's order by `share`); resolves with the
   * function that gives the slot back.
   */
  acquire(operation: string, deadline: number, signal?: AbortSignal, share?: Share): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(this.timedOut(operation));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        operation,
        deadline,
        share,
        signal,
        settled: false,
        resolve,
        reject,
        abort: () => {
          this.queue.remove(waiter, share);
          this.settle(waiter, this.timedOut(operation));
        },
      };
      signal?.addEventListener('abort', waiter.abort, { once: true });
      this.queue.push(waiter, share);
      void this.pump();
    });
  }

  /**
   * The common case without a wait: nobody queued, a free slot, no hold-off and a token in this
   * process's own bucket now. Takes them and returns the release; null (having taken nothing) when any
   * of them would mean waiting, and `acquire` is the way: no promise when nothing waits.
   */
  tryAcquire(): (() => void) | null {
    if (this.localTokens === null || this.queue.size > 0 || this.active >= this.maxConcurrent) return null;
    if (this.pausedUntil > this.now() || this.localTokens.take(0) !== 0) return null;
    this.active += 1;
    this.rate.noteSent();
    return this.releaser();
  }

  /** Gives a slot back once, and lets the next caller in turn have it. */
  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active -= 1;
      void this.pump();
    };
  }

  /**
   * Hands out turns while there are slots: the next waiter in fair order gets the next token (waiting
   * for it when the bucket is empty, and for any hold-off), then its slot. One turn at a time, so the
   * order of the queue is the order of the tokens.
   */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.size > 0 && this.active < this.maxConcurrent) {
        const paused = this.pausedUntil - this.now();
        if (paused > 0) {
          this.failPastDeadline(this.now() + paused);
          await sleep(paused);
          continue;
        }
        // Several waiting and slots for them: a source whose every take is a round trip (the shared
        // bucket) hands out the tokens due now for all of them in one, in the queue's order.
        const room = Math.min(this.queue.size, this.maxConcurrent - this.active);
        if (room > 1 && this.tokens.takeNow !== undefined) {
          const taken = await this.tokens.takeNow(room);
          if (taken > 0) {
            this.handOut(taken);
            continue;
          }
        }
        const waiter = this.queue.shift() as Waiter;
        if (waiter.settled) continue;
        const wait = await this.tokens.take(waiter.deadline - this.now());
        if (wait === null) {
          this.settle(
            waiter,
            deadlinePassed(
              this.provider,
              waiter.operation,
              'outbound rate limit leaves no time before the deadline',
            ),
          );
          continue;
        }
        if (wait > 0) {
          // Callers queue for tokens: the rate is what limits traffic, so it may rise.
          this.rate.noteWaited();
          await sleep(wait);
        }
        if (waiter.settled || this.pausedUntil > this.now()) {
          // Its caller gave up, or a hold-off arrived while it waited: the token fell inside the quiet
          // the provider asked for. Give it back; the waiter goes first after the hold-off.
          this.tokens.giveBack();
          if (!waiter.settled) this.queue.pushFront(waiter, waiter.share);
          continue;
        }
        this.active += 1;
        this.rate.noteSent();
        this.settle(waiter, this.releaser());
      }
    } finally {
      this.pumping = false;
    }
  }

  /**
   * `count` tokens taken at once go to the next waiters in turn (those still waiting), each with its
   * slot. Tokens left over — fewer waiters now, or a hold-off arrived meanwhile — go back (a shared one
   * cannot: the quota is under-used, never exceeded); the loop then handles the hold-off.
   */
  private handOut(count: number): void {
    let left = count;
    while (
      left > 0 &&
      this.queue.size > 0 &&
      this.active < this.maxConcurrent &&
      this.pausedUntil <= this.now()
    ) {
      const waiter = this.queue.shift() as Waiter;
      if (waiter.settled) continue;
      left -= 1;
      this.active += 1;
      this.rate.noteSent();
      this.settle(waiter, this.releaser());
    }
    for (; left > 0; left -= 1) this.tokens.giveBack();
  }

  /** Fails every waiter whose deadline comes before `until` (a hold-off leaves them no time). */
  private failPastDeadline(until: number): void {
    for (const waiter of this.queue.drain((w) => w.deadline < until)) {
      this.settle(waiter, this.rateLimited(waiter.operation, until - this.now()));
    }
  }

  private settle(waiter: Waiter, outcome: (() => void) | UpstreamError): void {
    if (waiter.settled) return;
    waiter.settled = true;
    waiter.signal?.removeEventListener('abort', waiter.abort);
    if (outcome instanceof UpstreamError) waiter.reject(outcome);
    else waiter.resolve(outcome);
  }

  private timedOut(operation: string): UpstreamError {
    return deadlinePassed(this.provider, operation, 'request deadline passed while queued');
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
