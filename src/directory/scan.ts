import type { UserFilter } from './filter.js';
import { matchesFilter } from './filter.js';
import type { User } from './model.js';
import type { ListPosition, Page } from './port.js';

/** One upstream page of a listing, read from some place in it. */
export interface ScannedPage<W, A> {
  /** The items from that place on, in listing order. */
  readonly items: readonly W[];
  /** Where the next page starts, or null when the listing ends with this page. */
  readonly next: A | null;
}

/** How one provider reads its listing, for `scanPages`. */
export interface ScanSource<W, A> {
  /** One page from `at`; `wanted` is how many more matches would fill the request. */
  fetch(at: A, wanted: number): Promise<ScannedPage<W, A>>;
  /** The place right after `page.items[index]`, which was read from `at`. */
  after(at: A, page: ScannedPage<W, A>, index: number): A;
  map(item: W): User;
  /** True once the listing's order has carried it past every user the filter's time window holds. */
  pastWindow(item: W, user: User): boolean;
}

export interface ScanResult<A> {
  readonly users: User[];
  /** Where to resume, or null when the listing has no more. */
  readonly next: A | null;
  /** The page budget ran out before `limit` matches were found. */
  readonly budgetExhausted: boolean;
}

/**
 * The filtered-scan loop every provider shares: read pages one after another from `start`, keep the
 * users `filter` matches, and stop when `limit` are found (resuming right after the last user looked
 * at), when the listing ends or passes the filter's time window, or after `budget` pages (a short page
 * with `budgetExhausted` and a place to go on from).
 */
export async function scanPages<W, A>(
  source: ScanSource<W, A>,
  start: A,
  request: { readonly limit: number; readonly budget: number; readonly filter: UserFilter | undefined },
): Promise<ScanResult<A>> {
  const users: User[] = [];
  let at = start;
  for (let round = 0; round < request.budget; round += 1) {
    const page = await source.fetch(at, request.limit - users.length);
    for (let index = 0; index < page.items.length; index += 1) {
      const item = page.items[index] as W;
      const user = source.map(item);
      if (source.pastWindow(item, user)) return { users, next: null, budgetExhausted: false };
      if (request.filter === undefined || matchesFilter(user, request.filter)) users.push(user);
      if (users.length === request.limit) {
        const last = index + 1 === page.items.length && page.next === null;
        return { users, next: last ? null : source.after(at, page, index), budgetExhausted: false };
      }
    }
    if (page.next === null) return { users, next: null, budgetExhausted: false };
    at = page.next;
  }
  return { users, next: at, budgetExhausted: true };
}

/** A scan's result as the port's page: the place to resume as a position of `listing`. */
export function pageOf(
  scan: ScanResult<number | string | undefined>,
  listing: Omit<ListPosition, 'at'>,
  totalCount: number | null,
): Page {
  return {
    users: scan.users,
    nextCursor: scan.next === null || scan.next === undefined ? null : { ...listing, at: scan.next },
    totalCount,
    ...(scan.budgetExhausted ? { budgetExhausted: true } : {}),
  };
}
