import type { SharedState } from '../shared/shared-state.js';
import type { CacheEntry, CacheStore } from './store.js';

/**
 * In Redis, shared by every replica: one key per fact (prefixed, `cache:2:<directory>:<fact>:<id>`), its
 * JSON with the time it was read, expiring on its own. One MGET per batch; writes are pipelined and
 * not waited for. An unreachable Redis reads as "not cached".
 */
export class RedisStore implements CacheStore {
  constructor(
    private readonly shared: SharedState,
    /** Told of each read or write Redis failed (metrics). */
    private readonly onError: () => void = () => {},
  ) {}

  async getMany(keys: readonly string[]): Promise<(CacheEntry | undefined)[]> {
    if (!this.shared.ready || keys.length === 0) return keys.map(() => undefined);
    try {
      const texts = await this.shared.commands.mget(...keys.map(redisKey));
      return texts.map((text) => (text === null ? undefined : parseEntry(text)));
    } catch {
      this.onError();
      return keys.map(() => undefined);
    }
  }

  delete(keys: readonly string[]): void {
    if (!this.shared.ready || keys.length === 0) return;
    this.shared.commands.del(...keys.map(redisKey)).catch(() => this.onError());
  }

  set(key: string, entry: CacheEntry, keepMs: number): void {
    if (!this.shared.ready) return;
    this.shared.commands
      .set(redisKey(key), JSON.stringify(entry), 'PX', Math.max(1, Math.round(keepMs)))
      .catch(() => this.onError());
  }
}

/**
 * The form of what is stored: 2 since instants are epoch milliseconds rather than RFC 3339 strings.
 * Replicas of another form read and write keys of their own (during a rolling upgrade the cache is not
 * shared), never one another's values.
 */
const FORM = 2;

/** Cache keys are `directory\0fact\0id`; in Redis the separator is ":" (ids may hold ":" too: the id is last). */
function redisKey(key: string): string {
  return `cache:${FORM}:${key.replaceAll('\u0000', ':')}`;
}

/** What another replica (or an older version) wrote, checked for shape: anything else is a miss. */
function parseEntry(text: string): CacheEntry | undefined {
  try {
    const entry = JSON.parse(text) as Partial<CacheEntry>;
    if (typeof entry.fetchedAt !== 'number' || !('value' in entry)) return undefined;
    return { value: entry.value, fetchedAt: entry.fetchedAt };
  } catch {
    return undefined;
  }
}
