import type { Change, ChangePosition } from '../directory/change-model.js';

// The pushed change feed: one poller per directory reads the directory's changes (with the pull
// feed's own cursor logic) and appends them to that directory's stream; subscribers and the user
// cache read the stream, never the directory, so upstream reads do not grow with consumers.

/**
 * One change as the stream keeps it: its place in the directory's stream (gapless and increasing; 0 is
 * the place before the first entry; a stream started afresh after its store lost it numbers above
 * every place of the old one) and the change.
 */
export interface StreamEntry {
  readonly seq: number;
  readonly change: Change;
}

export interface StreamRead {
  readonly entries: readonly StreamEntry[];
  /** The place of the newest entry the stream holds (0: none yet). */
  readonly last: number;
  /**
   * The place asked for is older than what the stream still keeps (entries after it are gone), or newer
   * than its newest (a cursor from before the stream was lost).
   */
  readonly expired: boolean;
}

/** The right to poll one directory, until `until` (epoch ms); `token` fences a holder that lost it. */
export interface Lease {
  readonly directory: string;
  /** The replica's poller that holds it. */
  readonly holder: string;
  readonly token: number;
  readonly until: number;
}

export interface ChangeStream {
  /**
   * Appends what the poller read and where the directory's feed now stands, in one step; false (nothing
   * appended) when `lease` no longer holds (another holder took over).
   */
  append(lease: Lease, changes: readonly Change[], position: ChangePosition): Promise<boolean>;
  /** Where the directory's feed stands (the position after its newest appended change); null: never polled. */
  position(directory: string): Promise<ChangePosition | null>;
  /** Entries after `seq`, oldest first, at most `limit`. */
  read(directory: string, seq: number, limit: number): Promise<StreamRead>;
  /** Resolves once the directory has an entry after `seq`, or after `waitMs`, or when `signal` aborts. */
  wait(directory: string, seq: number, waitMs: number, signal?: AbortSignal): Promise<void>;
  /** Takes (or renews) the lease of `directory` for `holder`; null while another holder has it. */
  lease(directory: string, holder: string, ttlMs: number, held: Lease | null): Promise<Lease | null>;
  /** Gives a lease back (drain, shutdown): the next holder need not wait for it to lapse. */
  release(lease: Lease): Promise<void>;
  /** Lets go of what the stream holds open (a Redis listener). */
  close(): void;
}

/** What one subscriber may hold. */
export interface FeedLimits {
  /** Subscriptions one principal may hold open at once on this replica. */
  readonly subscriptionsPerPrincipal: number;
  /** Events one subscription is sent per second at most (the rest wait their turn). */
  readonly eventsPerSecond: number;
}

/** How much a stream keeps per directory. */
export interface Retention {
  readonly maxLength: number;
  readonly maxAgeMs: number;
}
