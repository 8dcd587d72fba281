import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { SharedState } from './shared-state.js';

/** A quota of `perMinute` units, of which `burst` may be taken at once after a quiet spell. */
export interface Quota {
  readonly perMinute: number;
  readonly burst: number;
}

/** Granted, or refused with how long until `cost` would fit. */
export type QuotaVerdict =
  | { readonly granted: true }
  | { readonly granted: false; readonly retryAfterMs: number };

/** Principals remembered per quota in this process (least recently seen out first). */
const LOCAL_KEYS = 100_000;

/**
 * Per-principal quotas (GCRA: a bucket kept as one timestamp, so a sliding minute never holds more than
 * `perMinute + burst`, where a fixed window let twice the quota through across its edge). With Redis
 * every replica takes from the same bucket (the outbound quota's Lua, on Redis' clock); while Redis is
 * unreachable each replica keeps to `1 / expectedReplicas` of the quota in a bucket of its own, as the
 * outbound quota does. Keys hold a hash of the principal, never its name.
 */
export class PrincipalQuotas {
  private readonly local = new LRUCache<string, number>({ max: LOCAL_KEYS });

  constructor(
    private readonly shared?: SharedState,
    private readonly now: () => number = Date.now,
  ) {}

  /** What a principal's buckets are keyed by: a hash of its name (once per request, for all its quotas). */
  static keyOf(principal: string): string {
    return createHash('sha256').update(principal, 'utf8').digest('base64url').slice(0, 22);
  }

  /** Takes `cost` from the quota `name` of the principal keyed `principalKey` (keyOf). */
  take(name: string, principalKey: string, quota: Quota, cost: number): QuotaVerdict | Promise<QuotaVerdict> {
    const key = `principal:${name}:${principalKey}`;
    const interval = 60_000 / quota.perMinute;
    const shared = this.shared;
    if (shared?.ready !== true) return this.takeLocal(key, interval, quota.burst, cost);
    return shared.gcra(key, interval, quota.burst, 0, cost).then(
      ([granted, wait]): QuotaVerdict =>
        granted === 1 ? { granted: true } : { granted: false, retryAfterMs: wait },
      () => this.takeLocal(key, interval, quota.burst, cost),
    );
  }

  /** This replica's own bucket: the whole quota alone, its share of it while Redis is away. */
  private takeLocal(key: string, interval: number, burst: number, cost: number): QuotaVerdict {
    const share = this.shared?.expectedReplicas ?? 1;
    const localInterval = interval * share;
    const localBurst = Math.max(1, burst / share);
    const now = this.now();
    const tat = Math.max(this.local.get(key) ?? 0, now);
    const next = tat + cost * localInterval;
    const wait = next - localBurst * localInterval - now;
    if (wait > 0) return { granted: false, retryAfterMs: Math.ceil(wait) };
    this.local.set(key, next);
    return { granted: true };
  }
}
