import type { z } from 'zod';
import {
  type Group,
  type Membership,
  type OffsetPage,
  offsetPageOf,
  type Session,
} from '../../directory/access-model.js';
import { fanOut } from '../../directory/batch.js';
import { ScanBudgetExhaustedError, UpstreamError } from '../../directory/failures.js';
import type { CallOptions, KeyedResult } from '../../directory/port.js';
import { toGroup, toMembership, toSession } from './access-mapper.js';
import { wireGroup, wireSession, wireUserGroup } from './access-wire.js';
import type { MonoCloudClient } from './client.js';
import { mapUser } from './mapper.js';
import { MAX_PAGE_SIZE } from './paging.js';
import { wireUserSummary } from './wire.js';

// MonoCloud's groups and sessions through the port. Every read is keyed by one user or one group
// (there is no batch endpoint), so a batch fans out with bounded concurrency; a user's list is read
// page by page up to MAX_ACCESS_PAGES.

/** Pages (of 100) of one user's groups or sessions read before giving up on that user. */
export const MAX_ACCESS_PAGES = 3;

export const OP = {
  listGroups: 'GET /api/groups',
  getGroup: 'GET /api/groups/{group_id}',
  userGroups: 'GET /api/users/{user_id}/groups',
  groupMembers: 'GET /api/users/groups/{group_id}/assigned',
  sessions: 'GET /api/users/{user_id}/sessions',
  logs: 'GET /api/logs',
} as const;

export function monoCloudAccess(client: MonoCloudClient, directory: string, concurrency: number) {
  /** Every item of one user's list, or null when MonoCloud says the user does not exist. */
  async function allOf<W, T>(
    path: string,
    operation: string,
    schema: z.ZodType<W>,
    map: (wire: W) => T,
    options?: CallOptions,
  ): Promise<T[] | null> {
    const out: T[] = [];
    for (let page = 1; ; page += 1) {
      if (page > MAX_ACCESS_PAGES) throw new ScanBudgetExhaustedError(directory, MAX_ACCESS_PAGES);
      const result = await client.page(path, operation, schema, { page, size: MAX_PAGE_SIZE }, options);
      if (result === null) return null;
      out.push(...result.items.map(map));
      if (!result.pagination.has_next || result.items.length === 0) return out;
    }
  }

  const segment = (id: string) => encodeURIComponent(id);

  return {
    getUserGroups(
      localIds: readonly string[],
      options?: CallOptions,
    ): Promise<readonly KeyedResult<readonly Membership[]>[]> {
      return fanOut(localIds, concurrency, (id) =>
        allOf(`/api/users/${segment(id)}/groups`, OP.userGroups, wireUserGroup, toMembership, options),
      );
    },

    getGroups(groupIds: readonly string[], options?: CallOptions): Promise<readonly KeyedResult<Group>[]> {
      return fanOut(groupIds, concurrency, async (id) => {
        const wire = await client.one(`/api/groups/${segment(id)}`, OP.getGroup, wireGroup, options);
        return wire === null ? null : toGroup(wire, directory);
      });
    },

    async listGroups(offset: number, limit: number, options?: CallOptions): Promise<OffsetPage<Group>> {
      const page = await offsetPage('/api/groups', OP.listGroups, wireGroup, offset, limit, options, (wire) =>
        toGroup(wire, directory),
      );
      // The collection itself cannot be missing: a 404 is an error about the tenant, never "no groups".
      if (page === null) {
        throw new UpstreamError({
          provider: 'monocloud',
          kind: 'not_found',
          operation: OP.listGroups,
          status: 404,
        });
      }
      return page;
    },

    async listGroupMembers(
      groupId: string,
      offset: number,
      limit: number,
      options?: CallOptions,
    ): Promise<OffsetPage<Membership> | null> {
      // The member list returns user summaries (no membership date): the user's id is what we keep.
      return offsetPage(
        `/api/users/groups/${segment(groupId)}/assigned`,
        OP.groupMembers,
        wireUserSummary,
        offset,
        limit,
        options,
        (wire) => ({
          groupId,
          userId: wire.user_id,
          addedAt: null,
          user: mapUser(wire, directory, new Date()),
        }),
      );
    },

    getUserSessions(
      localIds: readonly string[],
      options?: CallOptions,
    ): Promise<readonly KeyedResult<readonly Session[]>[]> {
      return fanOut(localIds, concurrency, (id) =>
        allOf(`/api/users/${segment(id)}/sessions`, OP.sessions, wireSession, toSession, options),
      );
    },
  };

  /** [offset, offset + limit) of a page/size list, in one or two upstream pages of `limit`. */
  async function offsetPage<W, T>(
    path: string,
    operation: string,
    schema: z.ZodType<W>,
    offset: number,
    limit: number,
    options: CallOptions | undefined,
    map: (wire: W) => T,
  ): Promise<OffsetPage<T> | null> {
    const size = Math.min(limit, MAX_PAGE_SIZE);
    const items: T[] = [];
    let total: number | null = null;
    for (let page = Math.floor(offset / size) + 1, skip = offset % size; items.length < limit; page += 1) {
      const result = await client.page(path, operation, schema, { page, size }, options);
      if (result === null) return null;
      total = result.pagination.total_count;
      items.push(...result.items.slice(skip).map(map));
      skip = 0;
      if (!result.pagination.has_next || result.items.length === 0) break;
    }
    return offsetPageOf(items.slice(0, limit), offset, total);
  }
}
