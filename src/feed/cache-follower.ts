import type { DirectoryRegistry } from '../directory/registry.js';
import type { ChangeStream } from './change-stream.js';
import { sleep } from './sleep.js';

/** The longest a follower waits for an entry before it looks again (shutdown). */
const WAIT_MS = 15_000;
/** How long a follower waits before it tries an unreachable stream again. */
const RETRY_MS = 1_000;

/**
 * The user cache learns from the feed: on every replica, for each directory with a cache, a follower
 * reads the directory's stream from its newest entry on and drops the cached facts of each user a change
 * names, so a read after the change reaches the directory (whatever the cache's TTL). What the stream
 * carries is as fresh as the poll interval.
 */
export class CacheFollower {
  private readonly stopped = new AbortController();
  private readonly loops: Promise<void>[] = [];
  /** Users dropped from the cache so far (tests, metrics). */
  dropped = 0;

  constructor(
    private readonly directories: DirectoryRegistry,
    private readonly stream: ChangeStream,
  ) {}

  start(): void {
    for (const directory of this.directories.providers) {
      const forget = directory.forget;
      if (forget === undefined || directory.listChanges === undefined) continue;
      this.loops.push(this.follow(directory.name, forget));
    }
  }

  async stop(): Promise<void> {
    this.stopped.abort();
    await Promise.all(this.loops);
  }

  private async follow(directory: string, forget: (localIds: readonly string[]) => void): Promise<void> {
    const signal = this.stopped.signal;
    let seq: number | null = null;
    while (!signal.aborted) {
      try {
        seq ??= (await this.stream.read(directory, 0, 0)).last;
        const read = await this.stream.read(directory, seq, 500);
        if (read.entries.length === 0) {
          // Trimmed past us (a long stall), or the stream was lost: nothing to replay, go on from the newest.
          if (read.expired) seq = read.last;
          await this.stream.wait(directory, seq, WAIT_MS, signal);
          continue;
        }
        const users = [...new Set(read.entries.flatMap((entry) => entry.change.userId ?? []))];
        if (users.length > 0) {
          forget(users);
          this.dropped += users.length;
        }
        seq = read.entries.at(-1)?.seq ?? seq;
      } catch {
        // The stream's store is unreachable (Redis): the cache keeps its TTL meanwhile; look again.
        await sleep(RETRY_MS, signal);
      }
    }
  }
}
