import { read, TokenBucket, type TokenSource, type Varying } from '../resilience/token-bucket.js';
import type { SharedState } from './shared-state.js';

/**
 * A directory's outbound quota shared by every replica (one GCRA bucket in Redis). While Redis is
 * unreachable (not connected, or a command fails or times out) each replica takes from a bucket of its
 * own holding `1 / expectedReplicas` of the quota, so that together they still keep to it; when Redis
 * is back the shared bucket takes over again.
 */
export class SharedTokenBucket implements TokenSource {
  private readonly key: string;
  private readonly fallback: TokenBucket;

  constructor(
    private readonly shared: SharedState,
    directory: string,
    /** Requests per second for all replicas together (it may be learnt, and change). */
    private readonly rate: () => number,
    private readonly burst: Varying,
    /** Told each time a token came from the fallback bucket (metrics). */
    private readonly onFallback: () => void = () => {},
  ) {
    this.key = `quota:${directory}`;
    const share = shared.expectedReplicas;
    // Starting empty: the moments Redis goes away are when shared grants and fallback grants overlap.
    this.fallback = new TokenBucket(
      () => rate() / share,
      () => Math.max(1, Math.floor(read(burst) / share)),
      Date.now,
      0,
    );
  }

  take(maxWaitMs: number): number | null | Promise<number | null> {
    if (!this.shared.ready) return this.local(maxWaitMs);
    return this.shared
      .gcra([{ key: this.key, intervalMs: 1000 / this.rate(), burst: read(this.burst), cost: 1 }], maxWaitMs)
      .then(
        ([granted, wait]) => (granted === 1 ? wait : null),
        () => this.local(maxWaitMs),
      );
  }

  takeNow(count: number): number | Promise<number> {
    if (!this.shared.ready) return this.localNow(count);
    return this.shared
      .gcraNow(this.key, 1000 / this.rate(), read(this.burst), count)
      .catch(() => this.localNow(count));
  }

  /** A shared grant cannot be handed back; the quota is under-used by one, never exceeded. */
  giveBack(): void {}

  private localNow(count: number): number {
    let taken = 0;
    while (taken < count && this.fallback.take(0) === 0) {
      taken += 1;
      this.onFallback();
    }
    return taken;
  }

  private local(maxWaitMs: number): number | null {
    this.onFallback();
    return this.fallback.take(maxWaitMs);
  }
}
