import { EventEmitter } from 'node:events';
import type { Change, ChangePosition } from '../directory/change-model.js';
import type { ChangeStream, Lease, Retention, StreamEntry, StreamRead } from './change-stream.js';

interface DirectoryStream {
  /** Each with when it was appended (retention is by append time, not by the change's own time). */
  entries: (StreamEntry & { readonly appendedAt: number })[];
  /** The place of the newest entry ever appended. */
  last: number;
  position: ChangePosition | null;
  lease: { holder: string; token: number; until: number } | null;
  tokens: number;
}

/**
 * The stream in this process: a replica without Redis is its own cluster (it polls every directory,
 * and its subscribers and cache read what it polled). Bounded per directory by length and age.
 */
export class MemoryChangeStream implements ChangeStream {
  private readonly directories = new Map<string, DirectoryStream>();
  private readonly appended = new EventEmitter();

  constructor(
    private readonly retention: Retention,
    private readonly now: () => number = Date.now,
  ) {
    this.appended.setMaxListeners(0);
  }

  async append(lease: Lease, changes: readonly Change[], position: ChangePosition): Promise<boolean> {
    const stream = this.of(lease.directory);
    if (stream.lease?.token !== lease.token || stream.lease.until < this.now()) return false;
    const appendedAt = this.now();
    for (const change of changes) {
      stream.last += 1;
      stream.entries.push({ seq: stream.last, change, appendedAt });
    }
    stream.position = position;
    this.trim(stream);
    if (changes.length > 0) this.appended.emit(lease.directory);
    return true;
  }

  async position(directory: string): Promise<ChangePosition | null> {
    return this.of(directory).position;
  }

  async read(directory: string, seq: number, limit: number): Promise<StreamRead> {
    const stream = this.of(directory);
    this.trim(stream);
    const first = stream.entries[0]?.seq ?? stream.last + 1;
    // Entries between `seq` and the oldest kept were trimmed: the reader missed them.
    // …or the place is past the newest: from another stream's life, nothing since can be told.
    const expired = seq < first - 1 || seq > stream.last;
    const start = stream.entries.findIndex((entry) => entry.seq > seq);
    const entries = (start < 0 ? [] : stream.entries.slice(start, start + limit)).map(
      ({ seq: at, change }) => ({
        seq: at,
        change,
      }),
    );
    return { entries, last: stream.last, expired };
  }

  wait(directory: string, seq: number, waitMs: number, signal?: AbortSignal): Promise<void> {
    if (this.of(directory).last > seq || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.appended.off(directory, done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      this.appended.on(directory, done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  async lease(directory: string, holder: string, ttlMs: number, held: Lease | null): Promise<Lease | null> {
    const stream = this.of(directory);
    const now = this.now();
    const current = stream.lease;
    if (current !== null && current.until >= now && current.holder !== holder) return null;
    if (current !== null && current.holder === holder && held !== null && held.token === current.token) {
      current.until = now + ttlMs;
      return { directory, holder, token: current.token, until: current.until };
    }
    stream.tokens += 1;
    stream.lease = { holder, token: stream.tokens, until: now + ttlMs };
    return { directory, holder, token: stream.tokens, until: stream.lease.until };
  }

  async release(lease: Lease): Promise<void> {
    const stream = this.of(lease.directory);
    if (stream.lease?.token === lease.token) stream.lease = null;
  }

  close(): void {
    this.appended.removeAllListeners();
  }

  private of(directory: string): DirectoryStream {
    let stream = this.directories.get(directory);
    if (stream === undefined) {
      stream = { entries: [], last: 0, position: null, lease: null, tokens: 0 };
      this.directories.set(directory, stream);
    }
    return stream;
  }

  private trim(stream: DirectoryStream): void {
    const oldest = this.now() - this.retention.maxAgeMs;
    let drop = Math.max(0, stream.entries.length - this.retention.maxLength);
    while (drop < stream.entries.length && (stream.entries[drop]?.appendedAt ?? 0) < oldest) drop += 1;
    if (drop > 0) stream.entries.splice(0, drop);
  }
}
