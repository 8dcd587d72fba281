import type { Change, ChangePage, ChangePosition, ChangeRequest } from '../../directory/change-model.js';
import { ChangesExpiredError, ScanBudgetExhaustedError, UpstreamError } from '../../directory/failures.js';
import { takeInOrder } from '../../directory/merge-by-time.js';
import type { CallOptions } from '../../directory/port.js';
import { fromEpochSeconds } from '../../directory/timestamp.js';
import { OP } from './access.js';
import { logFacts } from './access-mapper.js';
import { type WireLog, wireLog } from './access-wire.js';
import type { MonoCloudClient } from './client.js';
import { MAX_PAGE_SIZE } from './paging.js';
import type { WireUserSummary } from './wire.js';

// MonoCloud's change feed over `GET /api/logs?sort=time_stamp:1` (groups-roles-changes.md §1.3).
// Oldest first, the log only grows at its tail, so an offset into it is a stable position; the entry
// just before the offset is remembered and checked on resume, so a log whose head was trimmed
// (retention, UNCONFIRMED) is noticed: the position is searched for a few pages back, and if gone the
// read fails with CHANGES_EXPIRED rather than skip or repeat changes. A fresh scan from `since`
// finds its start by binary search over the pages (log2 of the page count in requests).
// The log has no "user updated" code, so profile edits come from a second stream: users sorted by
// `last_updated`, newest first, read back to the position's watermark (a second and the ids already
// handed out in it). Two edits of one user between polls are one USER_UPDATED (the latest); a record
// whose `last_updated` is its creation time is a creation, which the log reports. The two streams are
// merged by time inside one position. Not covered: the log's order inside one second (UNCONFIRMED; the
// offset relies on it being stable).

const SIZE = MAX_PAGE_SIZE;
/** Upstream pages one read may spend: the search for `since` plus the pages it returns. */
export const MAX_CHANGE_PAGES = 16;
/** Pages back from a resumed offset searched for the entry it was issued after. */
const RESUME_SEARCH_PAGES = 2;
/** Pages of users (newest `last_updated` first) one read may scan for edits since the watermark. */
export const MAX_UPDATE_PAGES = 3;
/** Ids an update watermark remembers for its second. */
const MAX_UPDATED_IDS = 200;

type Updated = NonNullable<Extract<ChangePosition, { kind: 'offset' }>['updated']>;

/** One read's upstream pages left (each read has its own; reads run concurrently). */
interface Budget {
  left: number;
}

export function monoCloudChanges(client: MonoCloudClient, directory: string) {
  async function page(number: number, budget: Budget, options?: CallOptions) {
    budget.left -= 1;
    if (budget.left < 0) throw new ScanBudgetExhaustedError(directory, MAX_CHANGE_PAGES);
    const result = await client.page(
      '/api/logs',
      OP.logs,
      wireLog,
      { page: number, size: SIZE, sort: 'time_stamp:1' },
      options,
    );
    if (result === null)
      throw new UpstreamError({ provider: 'monocloud', kind: 'not_found', operation: OP.logs, status: 404 });
    return result;
  }

  /**
   * The first offset whose entry is in `since`'s second or later, by binary search over pages. The log
   * stamps whole seconds, so a fresh scan starts with the whole second `since` falls in: at its edge
   * a change may come twice (once before `since`, once after), never not at all.
   */
  async function startAfter(
    since: number,
    budget: Budget,
    options?: CallOptions,
  ): Promise<{ offset: number; truncated: boolean }> {
    const firstAfter = (items: readonly WireLog[]) => items.findIndex((e) => e.time_stamp >= since);
    const first = await page(1, budget, options);
    // The oldest entry kept is newer than `since`: the log does not reach back that far (retention is
    // UNCONFIRMED, so a young tenant is flagged too; its sync loses nothing by resyncing once).
    const oldest = first.items[0];
    if (oldest !== undefined && oldest.time_stamp > since) return { offset: 0, truncated: true };
    return { offset: await search(first, firstAfter, budget, options), truncated: false };
  }

  async function search(
    first: { readonly items: readonly WireLog[]; readonly pagination: { readonly total_count: number } },
    firstAfter: (items: readonly WireLog[]) => number,
    budget: Budget,
    options?: CallOptions,
  ): Promise<number> {
    const inFirst = firstAfter(first.items);
    if (inFirst >= 0) return inFirst;
    const total = first.pagination.total_count;
    // Pages whose last entry is at or before `since` lie wholly before the start.
    let answer = total;
    let low = 2;
    let high = Math.ceil(total / SIZE);
    while (low <= high) {
      const middle = Math.floor((low + high) / 2);
      const items = (await page(middle, budget, options)).items;
      const index = firstAfter(items);
      if (index > 0) return (middle - 1) * SIZE + index;
      if (index === 0) {
        answer = (middle - 1) * SIZE;
        high = middle - 1;
      } else {
        low = middle + 1;
      }
    }
    return answer;
  }

  /** Where to resume, checking the entry before it is still the one the position was issued after. */
  async function resumeAt(
    position: Extract<ChangePosition, { kind: 'offset' }>,
    budget: Budget,
    options?: CallOptions,
  ): Promise<number> {
    const { offset, lastId } = position;
    if (offset === 0 || lastId === null) return offset;
    let number = Math.floor((offset - 1) / SIZE) + 1;
    for (let searched = 0; searched < RESUME_SEARCH_PAGES && number >= 1; searched += 1, number -= 1) {
      const result = await page(number, budget, options);
      const index = result.items.findIndex((e) => e.id === lastId);
      if (index >= 0) return (number - 1) * SIZE + index + 1;
    }
    throw new ChangesExpiredError(directory, await presentEnd(position.updated, budget, options));
  }

  /**
   * The position after the newest log entry: where a feed that lost its place in the log goes on
   * from. The edits stream did not lose its place: its watermark is kept, or its edits would come again.
   */
  async function presentEnd(
    updated: Updated | undefined,
    budget: Budget,
    options?: CallOptions,
  ): Promise<ChangePosition> {
    budget.left = Math.max(budget.left, 2);
    const first = await page(1, budget, options);
    const total = first.pagination.total_count;
    const last = total <= SIZE ? first : await page(Math.ceil(total / SIZE), budget, options);
    const lastId = total === 0 ? null : (last.items.at(-1)?.id ?? null);
    return { kind: 'offset', offset: total, lastId, ...(updated === undefined ? {} : { updated }) };
  }

  /**
   * Users edited after the watermark, oldest first: pages of users by `last_updated` descending, until
   * one is older than the watermark. More than MAX_UPDATE_PAGES of edits since the last poll cannot be
   * handed out in order (the oldest are not read yet): SCAN_BUDGET_EXHAUSTED, poll more often.
   */
  async function editsSince(watermark: Updated, options?: CallOptions): Promise<WireUserSummary[]> {
    const found: WireUserSummary[] = [];
    const seen = new Set(watermark.ids);
    for (let number = 1; ; number += 1) {
      if (number > MAX_UPDATE_PAGES) throw new ScanBudgetExhaustedError(directory, MAX_UPDATE_PAGES);
      const result = await client.listUsers(
        { page: number, size: SIZE, sort: { field: 'last_updated', order: -1 } },
        options,
      );
      for (const user of result.items) {
        const updated = user.last_updated ?? null;
        if (updated === null || updated < watermark.at) return found.reverse();
        if (updated === watermark.at && seen.has(user.user_id)) continue;
        // A record last changed when it was created is a creation: the log reports it.
        if (updated !== user.creation_time) found.push(user);
      }
      if (!result.pagination.has_next || result.items.length === 0) return found.reverse();
    }
  }

  return async function listChanges(request: ChangeRequest, options?: CallOptions): Promise<ChangePage> {
    const budget: Budget = { left: MAX_CHANGE_PAGES };
    const position = request.position;
    if (position !== null && position.kind !== 'offset') {
      throw new RangeError('not a MonoCloud change position');
    }
    let truncated = false;
    let offset: number;
    if (position !== null) offset = await resumeAt(position, budget, options);
    else if (request.since === null) offset = 0;
    else ({ offset, truncated } = await startAfter(Math.floor(request.since / 1000), budget, options));
    // Edits are followed from `since`, or from now for a feed from the start of the history (every user
    // was "edited" at some time before it).
    let updated: Updated = position?.updated ?? {
      at: Math.floor((request.since ?? Date.now()) / 1000),
      ids: [],
    };
    const log = await logEntries(offset, request.limit, budget, options);
    const edits = await editsSince(updated, options);

    // Both streams merged by time, each in its own order (log first on a tie); every change carries
    // both resume points.
    const merged = takeInOrder<WireLog | WireUserSummary>(
      [log.entries, edits],
      (item, stream) =>
        stream === 0 ? (item as WireLog).time_stamp : ((item as WireUserSummary).last_updated ?? 0),
      request.limit,
    );
    const changes: Change[] = [];
    let lastId = position?.lastId ?? null;
    for (const { item, stream, index } of merged.taken) {
      if (stream === 0) {
        const entry = item as WireLog;
        offset = log.from + index + 1;
        lastId = entry.id;
        changes.push({
          id: entry.id,
          directory,
          at: fromEpochSeconds(entry.time_stamp),
          rawType: entry.code,
          ...logFacts(entry),
          position: { kind: 'offset', offset, lastId, updated },
        });
      } else {
        const edit = item as WireUserSummary;
        const at = edit.last_updated as number;
        updated =
          at > updated.at
            ? { at, ids: [edit.user_id] }
            : { at, ids: [...updated.ids, edit.user_id].slice(-MAX_UPDATED_IDS) };
        changes.push({
          id: `updated:${edit.user_id}:${at}`,
          directory,
          at: fromEpochSeconds(at),
          kind: 'USER_UPDATED',
          userId: edit.user_id,
          groupId: null,
          rawType: 'last_updated',
          position: { kind: 'offset', offset, lastId, updated },
        });
      }
    }
    const more = log.more || merged.left;
    return { changes, position: { kind: 'offset', offset, lastId, updated }, more, truncated };
  };

  /** Up to `limit` log entries from `from` on (oldest first), within the read's page budget. */
  async function logEntries(from: number, limit: number, budget: Budget, options?: CallOptions) {
    const entries: WireLog[] = [];
    let at = from;
    let more = false;
    while (entries.length < limit && budget.left > 0) {
      const result = await page(Math.floor(at / SIZE) + 1, budget, options);
      const items = result.items.slice(at % SIZE, (at % SIZE) + (limit - entries.length));
      entries.push(...items);
      at += items.length;
      more = result.pagination.has_next || at % SIZE < result.items.length;
      if (items.length === 0 || !more) break;
    }
    return { from, entries, more: more && entries.length > 0 };
  }
}
