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

/** How much of each quota a replica takes ahead from Redis: this long's worth (see PrincipalQuotas). */
export const AHEAD_MS = 100;

/**
 * Per-principal quotas (GCRA: a bucket kept as one timestamp, so a sliding minute never holds more than
 * `perMinute + burst`, where a fixed window let twice the quota through across its edge). An operation
 * takes from all its quotas at once, all or none: a refused operation spends none of them, and with
 * Redis that is one script call per operation, whatever the number of quotas. With Redis every replica
 * takes from the same buckets (the outbound quota's Lua, on Redis' clock); while Redis is unreachable
 * each replica keeps to `1 / expectedReplicas` of each quota in buckets of its own, as the outbound
 * quota does. Keys hold a hash of the principal, never its name.
 *
 * Taken ahead: when an operation goes to Redis anyway, the replica also takes, where the bucket has room,
 * up to AHEAD_MS of each quota (its `1 / expectedReplicas` share of that) and spends it on the
 * principal's next operations without a round trip — a busy principal costs one round trip per AHEAD_MS
 * instead of one per operation. What is taken ahead is already taken from the shared bucket, so over time
 * a principal never gets more than its quota; at one moment it may get up to AHEAD_MS of its quota
 * beyond its burst (what the replicas hold ahead), and what a replica holds when it stops or forgets the
 * principal is lost to it (under-use, never over-use). A quota under 1 / AHEAD_MS per replica has
 * nothing to take ahead and goes to Redis every time, as before.
 */
export class PrincipalQuotas {
  private readonly local = new LRUCache<string, number>({ max: LOCAL_KEYS });
  /** Tokens this replica took ahead from the shared buckets, by bucket key. */
  private readonly ahead = new LRUCache<string, number>({ max: LOCAL_KEYS });

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
    return this.spendAhead(buckets) ? GRANTED : this.takeShared(shared, buckets);
  }

  /** Takes every bucket's cost from what this replica holds ahead, when that covers all of them. */
  private spendAhead(buckets: readonly GcraBucket[]): boolean {
    const ahead = this.ahead;
    if (!buckets.every(({ key, cost }) => (ahead.get(key) ?? 0) >= cost)) return false;
    for (const { key, cost } of buckets) ahead.set(key, (ahead.get(key) ?? 0) - cost);
    return true;
  }

  /**
   * One script call: what is held ahead pays its part now (given back if Redis refuses), Redis is asked
   * for the rest, and for enough extra to hold AHEAD_MS of each quota ahead again.
   */
  private takeShared(shared: SharedState, buckets: readonly GcraBucket[]): Promise<QuotaVerdict> {
    const ahead = this.ahead;
    const held = buckets.map(({ key, cost }) => Math.min(ahead.get(key) ?? 0, cost));
    const asked = buckets.map((bucket, index): GcraBucket => {
      const kept = (ahead.get(bucket.key) ?? 0) - (held[index] as number);
      if (kept > 0) ahead.set(bucket.key, kept);
      else ahead.delete(bucket.key);
      const lead = Math.floor(AHEAD_MS / bucket.intervalMs / shared.expectedReplicas);
      return { ...bucket, cost: bucket.cost - (held[index] as number), extra: Math.max(0, lead - kept) };
    });
    const add = (index: number, amount: number) => {
      const key = (buckets[index] as GcraBucket).key;
      if (amount > 0) ahead.set(key, (ahead.get(key) ?? 0) + amount);
    };
    const giveBack = () => {
      for (const [index, amount] of held.entries()) add(index, amount);
    };
    return shared.gcra(asked, 0).then(
      ([granted, wait, ...extras]): QuotaVerdict => {
        if (granted !== 1) {
          giveBack();
          return { granted: false, retryAfterMs: wait };
        }
        for (const [index, extra] of extras.entries()) add(index, extra);
        return GRANTED;
      },
      () => {
        giveBack();
        return this.takeLocal(buckets);
      },
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
