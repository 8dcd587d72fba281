/** One cached fact about one user: the value (null: the directory said there is no such user) and when it was read. */
export interface CacheEntry {
  readonly value: unknown;
  /** Epoch ms at which usergraph read it from the directory. */
  readonly fetchedAt: number;
}

/**
 * Where cached facts live: this process's memory, or Redis for every replica. Both are best effort: a
 * store that fails answers "not cached" and the directory is asked, never an error to the caller.
 */
export interface CacheStore {
  /** The entries for `keys`, in order; undefined where there is none. */
  getMany(keys: readonly string[]): (CacheEntry | undefined)[] | Promise<(CacheEntry | undefined)[]>;
  /** Keeps `entry` under `key` for `keepMs` (its freshness and staleness windows together). */
  set(key: string, entry: CacheEntry, keepMs: number): void;
  /** Drops the entries under `keys` (a change the feed reported made them stale). */
  delete(keys: readonly string[]): void;
}
