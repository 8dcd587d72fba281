import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { GcraBucket, SharedState } from './shared-state.js';

/** A quota of `perMinute` units, of which `burst` may be taken at once after a quiet spell. */
export interface Quota {
  readonly perMinute: number;
  readonly burst: number;
}

/** Granted, or refused with how long until `cost` would fit. */
export type QuotaVerdict =
  | { readonly granted: true }
  | { readonly granted: false; readonly retryAfterMs: number };

/** One quota an operation takes from: which, its size, and how much the operation costs it. */
export interface QuotaTake {
  readonly name: string;
  readonly quota: Quota;
  readonly cost: number;
}

/** Principals' buckets remembered in this process (least recently seen out first). */
const LOCAL_KEYS = 100_000;

const GRANTED: QuotaVerdict = { granted: true };

/**
 * Per-principal quotas (GCRA: a bucket kept as one timestamp, so a sliding minute never holds more than
 * `perMinute + burst`, where a fixed window let twice the quota through across its edge). An operation
 * takes from all its quotas at once, all or none: a refused operation spends none of them, and with
 * Redis that is one script call per operation, whatever the number of quotas. With Redis every replica
 * takes from the same buckets (the outbound quota's Lua, on Redis' clock); while Redis is unreachable
 * each replica keeps to `1 / expectedReplicas` of each quota in buckets of its own, as the outbound
 * quota does. Keys hold a hash of the principal, never its name.
 */
export class PrincipalQuotas {
  private readonly local = new LRUCache<string, number>({ max: LOCAL_KEYS });

  constructor(
    private readonly shared?: SharedState,
    private readonly now: () => number = Date.now,
  ) {}

  /** What a principal's buckets are keyed by: a hash of its name (once per operation, for all its quotas). */
  static keyOf(principal: string): string {
    return createHash('sha256').update(principal, 'utf8').digest('base64url').slice(0, 22);
  }

  /**
   * Takes each quota's cost from the principal keyed `principalKey` (keyOf), all or none; refused with
   * the wait until every one of them has room.
   */
  take(principalKey: string, takes: readonly QuotaTake[]): QuotaVerdict | Promise<QuotaVerdict> {
    // The principal's part in braces: one hash slot for all its buckets, should the Redis be a cluster.
    const buckets = takes.map(
      ({ name, quota, cost }): GcraBucket => ({
        key: `principal:{${principalKey}}:${name}`,
        intervalMs: 60_000 / quota.perMinute,
        burst: quota.burst,
        cost,
      }),
    );
    const shared = this.shared;
    if (shared?.ready !== true) return this.takeLocal(buckets);
    return shared.gcra(buckets, 0).then(
      ([granted, wait]): QuotaVerdict => (granted === 1 ? GRANTED : { granted: false, retryAfterMs: wait }),
      () => this.takeLocal(buckets),
    );
  }

  /** This replica's own buckets: each whole quota alone, its share of it while Redis is away. */
  private takeLocal(buckets: readonly GcraBucket[]): QuotaVerdict {
    const share = this.shared?.expectedReplicas ?? 1;
    const now = this.now();
    let wait = 0;
    const tats = buckets.map(({ key, intervalMs, burst, cost }) => {
      const interval = intervalMs * share;
      const tat = Math.max(this.local.get(key) ?? 0, now);
      wait = Math.max(wait, tat + cost * interval - Math.max(1, burst / share) * interval - now);
      return tat + cost * interval;
    });
    if (wait > 0) return { granted: false, retryAfterMs: Math.ceil(wait) };
    for (const [index, { key }] of buckets.entries()) this.local.set(key, tats[index] as number);
    return GRANTED;
  }
}
