import type { DirectoryPosition, Positions } from './cursor.js';
import { asError, InvalidPageRequest } from './failures.js';
import type { UserFilter } from './filter.js';
import type { User } from './model.js';
import type { CallOptions, DirectoryProvider, ListPosition, SortDirection } from './port.js';

// A directory's place in a merged listing (DirectoryPosition): provider positions only point after a
// fetched page, so it is a provider position plus how many users after it were already handed out
// (`skip`); `end` remembers the directory's last reported total.

export interface MergeRequest {
  readonly first: number;
  readonly direction: SortDirection;
  readonly filter?: UserFilter;
  readonly scanBudget?: number;
  /** From the previous page's cursor; a directory missing here starts at the beginning. */
  readonly positions?: Positions;
}

export interface MergeEdge {
  readonly user: User;
  /** Every directory's position right after this user: resuming from it continues with the next edge. */
  readonly positions: Positions;
}

export interface MergeFailure {
  readonly directory: string;
  readonly error: Error;
}

export interface MergePage {
  readonly edges: readonly MergeEdge[];
  /** Positions after the whole page (also after directories scanned without a match). */
  readonly positions: Positions;
  readonly hasNextPage: boolean;
  /** Sum of the directories' totals when every one reports a total, else null. */
  readonly totalCount: number | null;
  readonly budgetExhausted: boolean;
  /** The directories whose local filtering stopped at the scan budget on this page. */
  readonly exhaustedDirectories: readonly string[];
  /** Directories left out of this page; their positions are unchanged so a later page retries them. */
  readonly failures: readonly MergeFailure[];
}

export const START: DirectoryPosition = { position: null, skip: 0 };

/** Re-basing fetches a merged page may make per directory before its window (the cost estimate counts on it). */
export const MAX_REBASE_ROUNDS = 2;

interface Window {
  readonly directory: string;
  /** Provider cursor the window was fetched from. */
  readonly base: ListPosition | null;
  /** Everything that call returned, including the first `skip` users already handed out earlier. */
  readonly fetched: readonly User[];
  readonly skip: number;
  /** `fetched` without the skipped users: what this page may take, in the directory's order. */
  readonly users: readonly User[];
  readonly next: ListPosition | null;
  readonly total: number | null;
  readonly budgetExhausted: boolean;
}

/**
 * One page of a k-way merge over several directories, ordered by (createdAt, directory, localId) in the
 * requested direction, nulls last when ascending.
 *
 * Invariant: for every directory, the users handed out so far are exactly the prefix of its own listing
 * that ends at its position, so resuming from any edge's positions yields every user exactly once. The
 * merge therefore only ever takes a directory's head, and stops as soon as a directory that is not at
 * its end has no fetched head left (its next user might sort before everyone else's heads).
 */
export async function mergePage(
  directories: readonly DirectoryProvider[],
  request: MergeRequest,
  options: CallOptions = {},
): Promise<MergePage> {
  const failures: MergeFailure[] = [];
  const windows: Window[] = [];
  await Promise.all(
    directories.map(async (directory) => {
      const position = request.positions?.[directory.name] ?? START;
      try {
        windows.push(await fetchWindow(directory, position, request, options));
      } catch (error) {
        // The caller's mistake (a cursor or filter the directory refused), not the directory's failure.
        if (error instanceof InvalidPageRequest) throw error;
        failures.push({ directory: directory.name, error: asError(error) });
      }
    }),
  );
  const order = directories.map((directory) => directory.name);
  windows.sort((a, b) => order.indexOf(a.directory) - order.indexOf(b.directory));
  failures.sort((a, b) => order.indexOf(a.directory) - order.indexOf(b.directory));

  const taken = new Map<string, number>(windows.map((window) => [window.directory, 0]));
  const positionsNow = (): Positions => {
    const positions: Record<string, DirectoryPosition> = {};
    for (const directory of order) {
      const window = windows.find((w) => w.directory === directory);
      positions[directory] = window
        ? positionAfter(window, taken.get(directory) ?? 0)
        : (request.positions?.[directory] ?? START);
    }
    return positions;
  };

  const edges: MergeEdge[] = [];
  const sign = request.direction === 'ASC' ? 1 : -1;
  while (edges.length < request.first) {
    let best: Window | null = null;
    let blocked = false;
    for (const window of windows) {
      const index = taken.get(window.directory) ?? 0;
      const head = window.users[index];
      if (head === undefined) {
        if (window.next !== null) blocked = true;
        continue;
      }
      const bestHead = best?.users[taken.get(best.directory) ?? 0];
      if (bestHead === undefined || sign * compareUsers(head, bestHead) < 0) best = window;
    }
    if (blocked || best === null) break;
    const index = taken.get(best.directory) ?? 0;
    taken.set(best.directory, index + 1);
    edges.push({ user: best.users[index] as User, positions: positionsNow() });
  }

  const positions = positionsNow();
  const exhaustedDirectories = windows
    .filter((window) => window.budgetExhausted)
    .map((window) => window.directory);
  const totals = directories.map((directory) => {
    const window = windows.find((w) => w.directory === directory.name);
    return window ? window.total : null;
  });
  return {
    edges,
    positions,
    hasNextPage: Object.values(positions).some((position) => !('end' in position)),
    totalCount: totals.every((total) => total !== null)
      ? totals.reduce<number>((sum, total) => sum + (total ?? 0), 0)
      : null,
    budgetExhausted: exhaustedDirectories.length > 0,
    exhaustedDirectories,
    failures,
  };
}

async function fetchWindow(
  directory: DirectoryProvider,
  position: DirectoryPosition,
  request: MergeRequest,
  options: CallOptions,
): Promise<Window> {
  const empty = {
    directory: directory.name,
    fetched: [],
    skip: 0,
    users: [],
    next: null,
    budgetExhausted: false,
  };
  if ('end' in position) return { ...empty, base: null, total: position.total };
  const query = { direction: request.direction, filter: request.filter, scanBudget: request.scanBudget };
  let cursor = position.position;
  let skip = position.skip;
  // A small skip rides along in the one fetch; a large one is first re-based into a provider cursor, so
  // the users fetched again stay below `first` and paging costs stay linear in the list's length. At
  // most MAX_REBASE_ROUNDS fetches (short filtered pages may leave some skip; the window takes the rest),
  // which the cost estimate counts on.
  for (let round = 0; skip >= request.first && round < MAX_REBASE_ROUNDS; round += 1) {
    const page = await directory.listUsers({ ...query, limit: skip, cursor }, options);
    skip -= page.users.length;
    if (page.nextCursor === null) return { ...empty, base: null, total: page.totalCount };
    cursor = page.nextCursor;
  }
  const page = await directory.listUsers({ ...query, limit: skip + request.first, cursor }, options);
  return {
    directory: directory.name,
    base: cursor,
    fetched: page.users,
    skip,
    users: page.users.slice(skip),
    next: page.nextCursor,
    total: page.totalCount,
    budgetExhausted: page.budgetExhausted === true,
  };
}

function positionAfter(window: Window, taken: number): DirectoryPosition {
  const consumed = window.skip + taken;
  if (consumed < window.fetched.length) return { position: window.base, skip: consumed };
  if (window.next === null) return { end: true, total: window.total };
  // A short page (scan budget) may end before the users to skip do: the rest are skipped next time.
  return { position: window.next, skip: consumed - window.fetched.length };
}

/** (createdAt, directory, localId) ascending; a user without a creation time sorts after all that have one. */
export function compareUsers(a: User, b: User): number {
  const at = a.createdAt ?? Number.POSITIVE_INFINITY;
  const bt = b.createdAt ?? Number.POSITIVE_INFINITY;
  if (at !== bt) return at < bt ? -1 : 1;
  if (a.directory !== b.directory) return a.directory < b.directory ? -1 : 1;
  if (a.localId !== b.localId) return a.localId < b.localId ? -1 : 1;
  return 0;
}
