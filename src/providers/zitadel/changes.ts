import { createHash } from 'node:crypto';
import type { Change, ChangePage, ChangePosition, ChangeRequest } from '../../directory/change-model.js';
import type { CallOptions } from '../../directory/port.js';
import { fromDateTimeString } from '../../directory/timestamp.js';
import { EVENT_AGGREGATES, eventKind, eventSubjects } from './access-mapper.js';
import { listEventsResponse, type WireEvent } from './access-wire.js';
import type { ZitadelClient } from './client.js';

// ZITADEL's change feed over the admin event log (`POST /admin/v1/events/_search`, groups-roles-
// changes.md §2.4): complete, oldest first, at most 1000 events per call, filtered by a strict
// "created after" and with a sequence that counts per aggregate (no global cursor). So a position is
// a time watermark plus the events already handed out within OVERLAP_MS before it: each read asks
// from watermark − OVERLAP_MS and drops what it has seen, keyed by (aggregate type, id, sequence),
// which is unique. The overlap also absorbs events of one push sharing a timestamp that a page cut.

export const OPERATION = 'POST /admin/v1/events/_search';
/** How far before the watermark each read starts again (ZITADEL awaits open transactions; this is margin). */
export const OVERLAP_MS = 1000;
/** Keys a position may remember; past it only the keys at the watermark itself are kept. */
const MAX_SEEN = 300;
const MAX_LIMIT = 1000;

export function eventKey(event: WireEvent): string {
  return createHash('sha256')
    .update(`${event.aggregate.type.type}\u0000${event.aggregate.id}\u0000${Number(event.sequence)}`)
    .digest('base64url')
    .slice(0, 12);
}

/** The position after an event at `at`, given what was seen before (pruned to the overlap window). */
function advance(
  seen: readonly { key: string; at: number }[],
  at: number,
  floor: number | null,
): ChangePosition {
  let kept = seen.filter((entry) => entry.at > at - OVERLAP_MS);
  if (kept.length > MAX_SEEN) kept = kept.filter((entry) => entry.at === at).slice(-MAX_SEEN);
  return { kind: 'watermark', at, seen: kept.map((entry) => `${entry.key}@${entry.at}`), floor };
}

export function zitadelChanges(client: ZitadelClient, directory: string) {
  return async function listChanges(request: ChangeRequest, options?: CallOptions): Promise<ChangePage> {
    const position = request.position;
    if (position !== null && position.kind !== 'watermark')
      throw new RangeError('not a ZITADEL change position');
    // The keys already handed out, with their times (kept in the position as `key@ms`).
    const seen = (position?.seen ?? []).map((entry) => {
      const at = entry.lastIndexOf('@');
      return { key: entry.slice(0, at), at: Number(entry.slice(at + 1)) };
    });
    const known = new Set(seen.map((entry) => entry.key));
    // Events at or before the feed's start were never part of it, even inside the overlap.
    const floor = position !== null ? position.floor : request.since;
    const from = position !== null ? Math.max(position.at - OVERLAP_MS, floor ?? 0) : request.since;
    const limit = Math.min(MAX_LIMIT, request.limit + seen.length + 1);
    const body: Record<string, unknown> = { asc: true, limit, aggregateTypes: EVENT_AGGREGATES };
    if (from !== null && (position !== null || request.since !== null)) {
      body.range = { since: new Date(from).toISOString() };
    }
    const response = await client.post(
      '/admin/v1/events/_search',
      OPERATION,
      listEventsResponse,
      body,
      options,
    );
    const events = response?.events ?? [];

    const changes: Change[] = [];
    let watermark = position?.at ?? request.since ?? 0;
    let pending = seen;
    let more = events.length >= limit;
    for (const event of events) {
      const key = eventKey(event);
      if (known.has(key)) continue;
      if (changes.length === request.limit) {
        more = true;
        break;
      }
      const at = fromDateTimeString(event.creationDate);
      watermark = Math.max(watermark, at);
      pending = [...pending, { key, at }];
      known.add(key);
      const next = advance(pending, watermark, floor);
      changes.push({
        id: key,
        directory,
        at,
        kind: eventKind(event.type.type),
        ...eventSubjects(event),
        rawType: event.type.type,
        position: next,
      });
    }
    const end = changes.at(-1)?.position ?? position ?? advance([], watermark, floor);
    return { changes, position: end, more, truncated: false };
  };
}
