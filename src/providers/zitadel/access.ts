import {
  type Group,
  type Membership,
  type OffsetPage,
  offsetPageOf,
  type RoleAssignment,
  type Session,
} from '../../directory/access-model.js';
import { fanOut, fanOutChunks } from '../../directory/batch.js';
import { type Capabilities, CHANGE_KINDS } from '../../directory/change-model.js';
import { ScanBudgetExhaustedError, UnsupportedError } from '../../directory/failures.js';
import type { CallOptions, KeyedResult } from '../../directory/port.js';
import {
  toGroup,
  toMembership,
  toRoleAssignments,
  toRoleAssignmentsV2beta,
  toSession,
} from './access-mapper.js';
import {
  listAuthorizationsResponse,
  listAuthorizationsV2betaResponse,
  listGroupsResponse,
  listGroupUsersResponse,
  listSessionsResponse,
  uint64Number,
} from './access-wire.js';
import type { ZitadelClient } from './client.js';

// ZITADEL's groups, roles and sessions through the port (groups-roles-changes.md §2). Groups and
// roles are batched by user ids (one request per chunk of ids, paged by 1000); sessions are one
// search per user (the Session API filters by a single user id). The GroupService's first release is
// UNCONFIRMED and AuthorizationService v2 with `inUserIds` is recent, so both are detected: a 404 or
// 501 from a Connect procedure means the service is not there, and is remembered.

const GROUPS = '/zitadel.group.v2.GroupService';
const AUTHZ = '/zitadel.authorization.v2.AuthorizationService/ListAuthorizations';
export const OP = {
  listGroups: `POST ${GROUPS}/ListGroups`,
  listGroupUsers: `POST ${GROUPS}/ListGroupUsers`,
  listAuthorizations: `POST ${AUTHZ}`,
  searchAuthorizationsV2beta: 'POST /v2beta/authorizations/search',
  searchSessions: 'POST /v2/sessions/search',
} as const;

/** filter.v2 pagination allows at most 1000 per call ("ZITADEL will throw an error" above it). */
const PAGE = 1000;
/** Pages of one batched read (per chunk of ids) before it gives up. */
export const MAX_BATCH_PAGES = 3;
/** Sessions read per user (newest first); one search, no paging beyond it. */
const SESSIONS_PER_USER = 100;

/** How long a service found missing is taken as missing before it is asked for again (servers get upgraded). */
export const RECHECK_MS = 5 * 60_000;

/** What a detection learnt, and until when it holds. */
class Detected {
  private value: boolean | null = null;
  private until = 0;

  constructor(private readonly now: () => number) {}

  get(): boolean | null {
    return this.value === false && this.now() >= this.until ? null : this.value;
  }

  set(present: boolean): void {
    this.value = present;
    this.until = this.now() + RECHECK_MS;
  }
}

export function zitadelAccess(
  client: ZitadelClient,
  directory: string,
  chunkSize: number,
  concurrency: number,
  now: () => number = Date.now,
) {
  const groupService = new Detected(now);
  const authorizationsV2 = new Detected(now);

  const unsupportedGroups = () =>
    new UnsupportedError(directory, 'groups', 'this ZITADEL has no GroupService (added in a recent release)');

  /** A Connect read that pages by offset: every row, within MAX_BATCH_PAGES; null if the service is missing. */
  async function allRows<R, T>(
    path: string,
    operation: string,
    schema: import('zod').ZodType<R>,
    body: Record<string, unknown>,
    rows: (response: R) => readonly T[] | undefined,
    total: (response: R) => number | undefined,
    options?: CallOptions,
  ): Promise<T[] | null> {
    const out: T[] = [];
    for (let page = 0; ; page += 1) {
      if (page === MAX_BATCH_PAGES) throw new ScanBudgetExhaustedError(directory, MAX_BATCH_PAGES);
      const response = await client.post(
        path,
        operation,
        schema,
        { ...body, pagination: { offset: String(page * PAGE), limit: PAGE, asc: true } },
        options,
        true,
      );
      if (response === null) return null;
      const found = rows(response) ?? [];
      out.push(...found);
      if (found.length < PAGE || out.length >= (total(response) ?? 0)) return out;
    }
  }

  async function groupsNeeded<T>(read: () => Promise<T | null>): Promise<T> {
    if (groupService.get() === false) throw unsupportedGroups();
    const result = await read();
    groupService.set(result !== null);
    if (result === null) throw unsupportedGroups();
    return result;
  }

  async function rolesV2(chunk: readonly string[], options?: CallOptions) {
    return allRows(
      AUTHZ,
      OP.listAuthorizations,
      listAuthorizationsResponse,
      { sortingColumn: 'AUTHORIZATION_FIELD_NAME_USER_ID', filters: [{ inUserIds: { ids: chunk } }] },
      (r) => r.authorizations,
      (r) => uint64Number(r.pagination?.totalResult),
      options,
    );
  }

  return {
    /** Whether a roles read may have to fall back to one v2beta search per user (not known to be on v2). */
    rolesMayFanOut: () => authorizationsV2.get() !== true,

    getUserGroups(localIds: readonly string[], options?: CallOptions) {
      return fanOutChunks<readonly Membership[]>(
        localIds,
        chunkSize,
        concurrency,
        async (chunk) => {
          const rows = await groupsNeeded(() =>
            allRows(
              `${GROUPS}/ListGroupUsers`,
              OP.listGroupUsers,
              listGroupUsersResponse,
              { filters: [{ userIds: { ids: chunk } }] },
              (r) => r.groupUsers,
              (r) => uint64Number(r.pagination?.totalResult),
              options,
            ),
          );
          const byUser = new Map<string, Membership[]>(chunk.map((id) => [id, []]));
          for (const row of rows) byUser.get(row.user.id)?.push(toMembership(row));
          return byUser;
        },
        // A search: a user in no group (or unknown) simply has none.
        [],
      );
    },

    getGroups(groupIds: readonly string[], options?: CallOptions): Promise<readonly KeyedResult<Group>[]> {
      return fanOutChunks<Group>(
        groupIds,
        chunkSize,
        concurrency,
        async (chunk) => {
          const rows = await groupsNeeded(() =>
            allRows(
              `${GROUPS}/ListGroups`,
              OP.listGroups,
              listGroupsResponse,
              { filters: [{ groupIds: { ids: chunk } }] },
              (r) => r.groups,
              (r) => uint64Number(r.pagination?.totalResult),
              options,
            ),
          );
          return new Map(rows.map((row) => [row.id, toGroup(row, directory)]));
        },
        null,
      );
    },

    async listGroups(offset: number, limit: number, options?: CallOptions): Promise<OffsetPage<Group>> {
      const response = await groupsNeeded(() =>
        client.post(
          `${GROUPS}/ListGroups`,
          OP.listGroups,
          listGroupsResponse,
          { pagination: { offset: String(offset), limit, asc: true }, sortingColumn: 'FIELD_NAME_NAME' },
          options,
          true,
        ),
      );
      const items = (response.groups ?? []).slice(0, limit).map((row) => toGroup(row, directory));
      return offsetPageOf(items, offset, uint64Number(response.pagination?.totalResult) ?? null);
    },

    async listGroupMembers(
      groupId: string,
      offset: number,
      limit: number,
      options?: CallOptions,
    ): Promise<OffsetPage<Membership> | null> {
      const response = await groupsNeeded(() =>
        client.post(
          `${GROUPS}/ListGroupUsers`,
          OP.listGroupUsers,
          listGroupUsersResponse,
          {
            filters: [{ groupIds: { ids: [groupId] } }],
            pagination: { offset: String(offset), limit, asc: true },
          },
          options,
          true,
        ),
      );
      const items = (response.groupUsers ?? []).slice(0, limit).map(toMembership);
      return offsetPageOf(items, offset, uint64Number(response.pagination?.totalResult) ?? null);
    },

    async getUserRoles(
      localIds: readonly string[],
      options?: CallOptions,
    ): Promise<readonly KeyedResult<readonly RoleAssignment[]>[]> {
      if (authorizationsV2.get() !== false) {
        let missing = false;
        const results = await fanOutChunks<readonly RoleAssignment[]>(
          localIds,
          chunkSize,
          concurrency,
          async (chunk) => {
            const rows = await rolesV2(chunk, options);
            if (rows === null) {
              missing = true;
              return new Map();
            }
            const byUser = new Map<string, RoleAssignment[]>(chunk.map((id) => [id, []]));
            for (const row of rows) byUser.get(row.user.id)?.push(...toRoleAssignments(row));
            return byUser;
          },
          [],
        );
        authorizationsV2.set(!missing);
        if (!missing) return results;
      }
      // An older server: the deprecated v2beta search, one user per request.
      return fanOut(localIds, concurrency, async (id) => {
        const rows = await allRows(
          '/v2beta/authorizations/search',
          OP.searchAuthorizationsV2beta,
          listAuthorizationsV2betaResponse,
          { filters: [{ userId: { id } }] },
          (r) => r.authorizations,
          (r) => uint64Number(r.pagination?.totalResult),
          options,
        );
        if (rows === null)
          throw new UnsupportedError(directory, 'roles', 'this ZITADEL has no AuthorizationService');
        return rows.flatMap(toRoleAssignmentsV2beta);
      });
    },

    getUserSessions(
      localIds: readonly string[],
      options?: CallOptions,
    ): Promise<readonly KeyedResult<readonly Session[]>[]> {
      return fanOut(localIds, concurrency, async (id) => {
        const response = await client.post(
          '/v2/sessions/search',
          OP.searchSessions,
          listSessionsResponse,
          {
            query: { offset: '0', limit: SESSIONS_PER_USER, asc: false },
            sortingColumn: 'SESSION_FIELD_NAME_CREATION_DATE',
            queries: [{ userIdQuery: { id } }],
          },
          options,
        );
        return (response?.sessions ?? []).map(toSession);
      });
    },

    /** Probes the GroupService once (one ListGroups of one group) when it is not known yet. */
    async capabilities(options?: CallOptions): Promise<Capabilities> {
      let present = groupService.get();
      if (present === null) {
        const probe = await client.post(
          `${GROUPS}/ListGroups`,
          OP.listGroups,
          listGroupsResponse,
          { pagination: { offset: '0', limit: 1, asc: true } },
          options,
          true,
        );
        present = probe !== null;
        groupService.set(present);
      }
      return {
        groups: present,
        // AuthorizationService v2, or the deprecated v2beta search on older servers.
        roles: true,
        sessions: true,
        // The event log has every kind.
        changeKinds: CHANGE_KINDS,
        changeRetentionDays: null,
        changesComplete: true,
        notes: [
          'The change feed reads the event log: the credential needs IAM_OWNER_VIEWER (events.read), else DIRECTORY_FORBIDDEN.',
          'Sessions are those of the Session API (Login V2); Login V1 sign-ins appear only as SIGN_IN changes.',
          'Group event names and whether roles include group grants are UNCONFIRMED.',
        ],
      };
    },
  };
}
