import type { Change, ChangeKind, ChangePage, ChangeRequest } from '../../directory/change-model.js';
import type { CallOptions } from '../../directory/port.js';
import { fromEpochSeconds } from '../../directory/timestamp.js';
import type { AppServicesClient } from './client.js';
import { seekAfter } from './filter.js';
import { LIST_PAGE_SIZE } from './wire.js';

// App Services' change feed: the only change its Admin API lets us see reliably is a new user (users
// list in `_id` order, and an ObjectId grows with its creation time), so the feed is the users created
// after a position, resumed by the last `_id` read. Updates, deletions and sign-ins are not in it
// (README: AUTH logs are kept 10 days and walk backwards; not used); `capabilities` says so.

export const APP_SERVICES_CHANGE_KINDS: readonly ChangeKind[] = ['USER_CREATED'];
/** Upstream pages (of 50) one read may spend. */
export const MAX_CHANGE_PAGES = 5;

export function appServicesChanges(client: AppServicesClient, directory: string) {
  return async function listChanges(request: ChangeRequest, options?: CallOptions): Promise<ChangePage> {
    const position = request.position;
    if (position !== null && position.kind !== 'after-id')
      throw new RangeError('not an App Services change position');
    let after =
      position !== null
        ? (position.after ?? undefined)
        : request.since === null
          ? undefined
          : seekAfter({ createdAfter: new Date(request.since).toISOString() }, 'ASC', undefined);
    const changes: Change[] = [];
    let more = false;
    for (let pages = 0; changes.length < request.limit; pages += 1) {
      if (pages === MAX_CHANGE_PAGES) {
        more = true;
        break;
      }
      const batch = await client.listUsers({ after, desc: false }, options);
      for (const user of batch) {
        if (changes.length === request.limit) {
          more = true;
          break;
        }
        after = user._id;
        // The seek starts a little early (ObjectId clocks): users at or before `since` are passed over.
        if (position === null && request.since !== null && user.creation_date * 1000 <= request.since)
          continue;
        changes.push({
          id: user._id,
          directory,
          at: fromEpochSeconds(user.creation_date),
          kind: 'USER_CREATED',
          userId: user._id,
          groupId: null,
          rawType: 'user.created',
          position: { kind: 'after-id', after: user._id },
        });
      }
      if (more || batch.length < LIST_PAGE_SIZE) break;
      more = true;
    }
    return { changes, position: { kind: 'after-id', after: after ?? null }, more, truncated: false };
  };
}
