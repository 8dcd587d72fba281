/**
 * Where the outbound limiter gets its tokens: this process's own bucket, or one every replica shares
 * (src/shared/shared-token-bucket.ts).
 */
export interface TokenSource {
  /**
   * Takes a token if one comes within `maxWaitMs`: resolves with how long to wait before using it (0:
   * now), or null when it would come later (then nothing is taken).
   */
  take(maxWaitMs: number): number | null | Promise<number | null>;
  /** Returns a token taken but not used (its caller gave up while waiting), where the source can. */
  giveBack(): void;
  /**
   * Takes up to `count` tokens that are there now, at once: how many it took (0: none without a wait).
   * Only where one take costs a round trip (the bucket shared through Redis): one for many callers.
   */
  takeNow?(count: number): number | Promise<number>;
}

/** A number that may change (an adaptive rate), or a fixed one. */
export type Varying = number | (() => number);

/** A Varying's value now. */
export const read = (value: Varying): number => (typeof value === 'number' ? value : value());

/** A token bucket of `rate` per second holding at most `burst`, in this process (both may vary). */
export class TokenBucket implements TokenSource {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly rate: Varying,
    private readonly burst: Varying,
    private readonly now: () => number = Date.now,
    /** Tokens at the start (a full bucket by default). */
    initial: number = read(burst),
  ) {
    this.tokens = initial;
    this.refilledAt = now();
  }

  take(maxWaitMs: number): number | null {
    const at = this.now();
    const rate = read(this.rate);
    this.tokens = Math.min(read(this.burst), this.tokens + ((at - this.refilledAt) / 1000) * rate);
    this.refilledAt = at;
    this.tokens -= 1;
    // Going into debt: the wait is until the token is real.
    const wait = this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / rate) * 1000);
    if (wait > maxWaitMs) {
      this.tokens += 1;
      return null;
    }
    return wait;
  }

  giveBack(): void {
    this.tokens += 1;
  }
}
