import { LRUCache } from 'lru-cache';
import type { CacheEntry, CacheStore } from './store.js';

/** In this process: at most `maxEntries`, the least recently used going first, each for its own time. */
export class MemoryStore implements CacheStore {
  private readonly entries: LRUCache<string, CacheEntry>;

  constructor(maxEntries: number) {
    this.entries = new LRUCache<string, CacheEntry>({ max: maxEntries, ttlAutopurge: false });
  }

  getMany(keys: readonly string[]): (CacheEntry | undefined)[] {
    return keys.map((key) => this.entries.get(key));
  }

  delete(keys: readonly string[]): void {
    for (const key of keys) this.entries.delete(key);
  }

  set(key: string, entry: CacheEntry, keepMs: number): void {
    this.entries.set(key, entry, { ttl: keepMs });
  }
}
