import { randomUUID } from 'node:crypto';
import type { DirectoryProvider } from '../directory/port.js';
import type { DirectoryRegistry } from '../directory/registry.js';
import { timedCall } from '../resilience/deadline.js';
import { withShare } from '../resilience/fair-queue.js';
import type { ChangeStream, Lease } from './change-stream.js';
import { sleep } from './sleep.js';

export interface PollerSettings {
  /** The shortest wait between polls of a directory (right after changes). */
  readonly minIntervalMs: number;
  /** The longest wait (after a quiet spell: the wait doubles with every empty poll up to it). */
  readonly maxIntervalMs: number;
  /** How long a lease lasts without renewal: the next holder takes over after it when the holder died. */
  readonly leaseMs: number;
}

/** What became of a poll: it appended changes, found none, failed, or lost its lease meanwhile. */
export type PollOutcome = 'changes' | 'empty' | 'failed' | 'fenced';

/** Told of every poll (metrics) and of every failure (the log). */
export interface PollObserver {
  polled?(directory: string, outcome: PollOutcome, changes: number): void;
  failed?(directory: string, error: unknown): void;
}

/** Changes one poll reads at most. */
const PAGE = 100;
/** The bound of one poll's upstream call. */
const POLL_TIMEOUT_MS = 10_000;
/** The poller's calls wait their turn in the directory's limiter as a caller of their own. */
const SHARE = { principal: 'feed-poller', request: {} };

/**
 * One poller per directory per cluster: each replica runs one of these, and for each directory only the
 * holder of its lease reads the directory's changes (with the pull feed's cursor logic, from where the
 * stream says the feed stands) and appends them, fenced by the lease. The wait between polls adapts:
 * `minIntervalMs` after changes, doubling while quiet up to `maxIntervalMs`; a page that says there is
 * more is read at once. A new feed starts at "now": the stream carries changes from when it began.
 */
export class FeedPoller {
  readonly holder = randomUUID();
  private readonly stopped = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private readonly leases = new Map<string, Lease>();
  /** Upstream change reads made by this replica, per directory (tests, metrics). */
  readonly reads = new Map<string, number>();

  constructor(
    private readonly directories: DirectoryRegistry,
    private readonly stream: ChangeStream,
    private readonly settings: PollerSettings,
    private readonly observer: PollObserver = {},
  ) {}

  /** Whether this replica polls `directory` now (it held the lease at its last look). */
  holdsLease(directory: string): boolean {
    return this.leases.has(directory);
  }

  start(): void {
    for (const directory of this.directories.providers) {
      if (directory.listChanges) this.loops.push(this.loop(directory));
    }
  }

  /**
   * Stops polling and gives the leases back, so another replica takes over at once (drain);
   * `handOver: false` keeps them until they lapse, as a replica that died would.
   */
  async stop({ handOver = true }: { handOver?: boolean } = {}): Promise<void> {
    this.stopped.abort();
    await Promise.all(this.loops);
    if (!handOver) return;
    await Promise.all(
      [...this.leases.values()].map((lease) => this.stream.release(lease).catch(() => undefined)),
    );
  }

  private async loop(directory: DirectoryProvider): Promise<void> {
    const signal = this.stopped.signal;
    let wait = this.settings.minIntervalMs;
    let due = 0;
    while (!signal.aborted) {
      let pause: number;
      try {
        const lease = await this.stream.lease(
          directory.name,
          this.holder,
          this.settings.leaseMs,
          this.leases.get(directory.name) ?? null,
        );
        if (lease === null) {
          this.leases.delete(directory.name);
          // Someone else polls it: look again when its lease could have lapsed.
          pause = Math.min(this.settings.leaseMs, this.settings.maxIntervalMs);
        } else {
          this.leases.set(directory.name, lease);
          if (Date.now() >= due) {
            const { found, more } = await this.poll(directory, lease);
            wait = found > 0 ? this.settings.minIntervalMs : Math.min(wait * 2, this.settings.maxIntervalMs);
            due = Date.now() + (more ? 0 : wait);
          }
          // Wake to renew the lease before it lapses, however long the wait until the next poll.
          pause = Math.min(due - Date.now(), this.settings.leaseMs / 3);
        }
      } catch (error) {
        this.observer.polled?.(directory.name, 'failed', 0);
        this.observer.failed?.(directory.name, error);
        wait = Math.min(wait * 2, this.settings.maxIntervalMs);
        due = Date.now() + wait;
        pause = Math.min(wait, this.settings.leaseMs / 3);
      }
      await sleep(pause, signal);
    }
  }

  private async poll(directory: DirectoryProvider, lease: Lease): Promise<{ found: number; more: boolean }> {
    const position = await this.stream.position(directory.name);
    const listChanges = directory.listChanges as NonNullable<DirectoryProvider['listChanges']>;
    this.reads.set(directory.name, (this.reads.get(directory.name) ?? 0) + 1);
    const options = timedCall(POLL_TIMEOUT_MS, withShare(undefined, SHARE));
    // A stop (drain) cuts a poll short: its changes are read again by the next holder.
    const page = await listChanges(
      { position, since: position === null ? Date.now() : null, limit: PAGE },
      { ...options, signal: AbortSignal.any([options.signal as AbortSignal, this.stopped.signal]) },
    );
    const appended = await this.stream.append(lease, page.changes, page.position);
    if (!appended) this.leases.delete(directory.name);
    const outcome = !appended ? 'fenced' : page.changes.length > 0 ? 'changes' : 'empty';
    this.observer.polled?.(directory.name, outcome, appended ? page.changes.length : 0);
    return { found: appended ? page.changes.length : 0, more: appended && page.more };
  }
}
