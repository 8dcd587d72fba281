import { LRUCache } from 'lru-cache';
import {
  type ActionStore,
  type Claim,
  claimOf,
  type StoredRequest,
  type SuspensionRecord,
} from './action-store.js';

/** Idempotency entries kept at most, the oldest dropped first. */
const REQUESTS = 100_000;
/** Suspensions remembered at most: one forgotten is left suspended by a resume (the safe side). */
const SUSPENSIONS = 1_000_000;

/** The action log in this process: what a single replica (or demo mode) remembers until it restarts. */
export class MemoryActionStore implements ActionStore {
  readonly ready = true;
  // Bounded by `maxSize` (one per entry), not `max`: lru-cache preallocates `max` slots, which for these
  // 1.1 million took ~100 ms at every start (measured) for a log most processes barely write.
  private readonly requests = new LRUCache<string, StoredRequest>({
    maxSize: REQUESTS,
    sizeCalculation: () => 1,
    ttlAutopurge: false,
  });
  private readonly suspensions = new LRUCache<string, SuspensionRecord>({
    maxSize: SUSPENSIONS,
    sizeCalculation: () => 1,
  });

  async claim(key: string, fingerprint: string, runningMs: number): Promise<Claim> {
    const stored = this.requests.get(key);
    if (stored !== undefined) return claimOf(stored, fingerprint);
    this.requests.set(key, { fingerprint, state: 'running' }, { ttl: runningMs });
    return { kind: 'claimed' };
  }

  async finish(key: string, fingerprint: string, result: unknown, keepMs: number): Promise<void> {
    this.requests.set(key, { fingerprint, state: 'done', result }, { ttl: keepMs });
  }

  async release(key: string): Promise<void> {
    this.requests.delete(key);
  }

  async suspension(directory: string, localId: string): Promise<SuspensionRecord | null> {
    return this.suspensions.get(suspensionKey(directory, localId)) ?? null;
  }

  async recordSuspension(directory: string, localId: string, record: SuspensionRecord): Promise<void> {
    this.suspensions.set(suspensionKey(directory, localId), record);
  }

  async clearSuspension(directory: string, localId: string): Promise<void> {
    this.suspensions.delete(suspensionKey(directory, localId));
  }
}

export function suspensionKey(directory: string, localId: string): string {
  return `${directory.length}:${directory}:${localId}`;
}
