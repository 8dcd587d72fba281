import type { UserFilter } from '../../directory/filter.js';
import type { SortDirection } from '../../directory/port.js';

// App Services has no filter API. Two things still narrow the scan: realm-cli's undocumented
// `status=enabled|disabled`, and `_id` order, since an ObjectId starts with its creation second.
// Every user read is still checked with matchesFilter, so both only ever skip non-matches.

/**
 * Seconds an `_id`'s time may differ from `creation_date`. The ObjectId is made when the user is
 * created, but that both record the same second is UNCONFIRMED: seeking leaves this much room.
 */
export const ID_CLOCK_SLACK_SECONDS = 60;

export type StatusParam = 'enabled' | 'disabled' | undefined;

/** `null`: the statuses asked for (LOCKED, …) exist nowhere in App Services, so nothing matches. */
export function statusParam(filter: UserFilter | undefined): StatusParam | null {
  const wanted = filter?.status;
  if (wanted === undefined) return undefined;
  const active = wanted.includes('ACTIVE');
  const disabled = wanted.includes('DISABLED');
  if (active && disabled) return undefined;
  if (active) return 'enabled';
  if (disabled) return 'disabled';
  return null;
}

/** The `after` to start from so that no user created inside the window is passed over. */
export function seekAfter(
  filter: UserFilter | undefined,
  direction: SortDirection,
  from: string | undefined,
): string | undefined {
  if (direction === 'ASC' && filter?.createdAfter !== undefined) {
    const seek = idAt(firstSecond(filter.createdAfter) - ID_CLOCK_SLACK_SECONDS - 1, 'f');
    return from === undefined || seek > from ? seek : from;
  }
  if (direction === 'DESC' && filter?.createdBefore !== undefined) {
    const seek = idAt(endSecond(filter.createdBefore) + ID_CLOCK_SLACK_SECONDS, '0');
    return from === undefined || seek < from ? seek : from;
  }
  return from;
}

/** True once `_id` order has carried the scan past every user the time window could hold. */
export function pastWindow(id: string, filter: UserFilter | undefined, direction: SortDirection): boolean {
  const second = Number.parseInt(id.slice(0, 8), 16);
  if (Number.isNaN(second)) return false;
  if (direction === 'ASC' && filter?.createdBefore !== undefined) {
    return second >= endSecond(filter.createdBefore) + ID_CLOCK_SLACK_SECONDS;
  }
  if (direction === 'DESC' && filter?.createdAfter !== undefined) {
    return second < firstSecond(filter.createdAfter) - ID_CLOCK_SLACK_SECONDS;
  }
  return false;
}

/** The first whole second at or after an inclusive bound. */
function firstSecond(timestamp: string): number {
  return Math.ceil(Date.parse(timestamp) / 1000);
}

/** Users created before an exclusive bound have creation seconds below this. */
function endSecond(timestamp: string): number {
  return Math.ceil(Date.parse(timestamp) / 1000);
}

function idAt(seconds: number, fill: 'f' | '0'): string {
  const clamped = Math.min(Math.max(seconds, 0), 0xffffffff);
  return clamped.toString(16).padStart(8, '0') + fill.repeat(16);
}
