import {
  groupKeysOf,
  rolesOf,
  SEED_GROUPS,
  SEED_PROJECTS,
  sessionCountOf,
  sessionIp,
  userAgentOf,
} from '../access-data.js';
import type { Route, SimRequest, SimResponse } from '../server.js';
import { ZITADEL_ORG_ID } from './data.js';

// ZITADEL's groups (GroupService v2, Connect only), authorizations (AuthorizationService v2 over
// Connect, v2beta over REST), sessions (SessionService v2) and the admin event log, as described in
// shared/providers/groups-roles-changes.md §2. Which services exist and what the token may read are
// options, so tests can meet an older server or a credential without IAM_OWNER_VIEWER.

export interface ZitadelAccessOptions {
  /** The GroupService (first release UNCONFIRMED): without it the Connect route answers 404. */
  readonly groupService?: boolean;
  /** AuthorizationService v2 with `inUserIds`; without it only the deprecated v2beta search exists. */
  readonly authorizationsV2?: boolean;
  /** Whether the token holds `events.read` (IAM_OWNER_VIEWER); without it the event search is 403. */
  readonly eventsAllowed?: boolean;
}

export interface AccessPerson {
  readonly userId: string;
  readonly personId: number;
  readonly displayName: string;
  readonly loginName: string;
  readonly createdAtMs: number;
  readonly lastSignInMs: number | null;
  readonly human: boolean;
}

interface GroupRow {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly creationDate: string;
  changeDate: string;
}

interface MemberRow {
  readonly groupId: string;
  readonly userId: string;
  readonly creationDate: string;
}

interface GrantRow {
  readonly id: string;
  readonly userId: string;
  readonly project: (typeof SEED_PROJECTS)[number];
  roleKeys: string[];
  state: 'STATE_ACTIVE' | 'STATE_INACTIVE';
  readonly creationDate: string;
  changeDate: string;
}

export interface SimEvent {
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly sequence: number;
  readonly type: string;
  /** ms since the epoch; several events of one push share it. */
  readonly at: number;
  readonly payload: Record<string, unknown>;
}

type ErrorResponse = (status: number, text: string, errorId: string | null) => SimResponse;

export class ZitadelAccess {
  groupService: boolean;
  authorizationsV2: boolean;
  eventsAllowed: boolean;
  readonly groups: GroupRow[];
  readonly members: MemberRow[] = [];
  readonly grants: GrantRow[] = [];
  /** In write order (the event store's position). */
  readonly events: SimEvent[] = [];
  private readonly sequences = new Map<string, number>();
  private readonly terminated = new Set<string>();
  private readonly people: ReadonlyMap<string, AccessPerson>;
  private nextId = 1;

  constructor(people: readonly AccessPerson[], options: ZitadelAccessOptions = {}) {
    this.groupService = options.groupService ?? true;
    this.authorizationsV2 = options.authorizationsV2 ?? true;
    this.eventsAllowed = options.eventsAllowed ?? true;
    this.people = new Map(people.map((person) => [person.userId, person]));
    const epoch = Date.UTC(2021, 0, 1);
    this.groups = SEED_GROUPS.map((group, index) => ({
      id: `3${String(index + 1).padStart(17, '0')}`,
      name: group.name,
      description: group.description,
      creationDate: iso(epoch + index * 86_400_000),
      changeDate: iso(epoch + index * 86_400_000),
    }));
    const initial: SimEvent[] = [];
    const push = (event: Omit<SimEvent, 'sequence'>) => initial.push({ ...event, sequence: 0 });
    for (const person of [...people].sort((a, b) => a.createdAtMs - b.createdAtMs)) {
      push({
        aggregateType: 'user',
        aggregateId: person.userId,
        type: person.human ? 'user.human.added' : 'user.machine.added',
        at: person.createdAtMs,
        payload: {},
      });
      for (const key of groupKeysOf(person.personId)) {
        const group = this.groups[SEED_GROUPS.findIndex((g) => g.key === key)] as GroupRow;
        const at = person.createdAtMs + 60_000;
        this.members.push({ groupId: group.id, userId: person.userId, creationDate: iso(at) });
        push({
          aggregateType: 'group',
          aggregateId: group.id,
          type: 'group.user.added',
          at,
          payload: { userId: person.userId },
        });
      }
      for (const [projectKey, roleKey] of rolesOf(person.personId)) {
        const at = person.createdAtMs + 120_000;
        const grant = this.newGrant(person.userId, projectKey, roleKey, at);
        push({
          aggregateType: 'usergrant',
          aggregateId: grant.id,
          type: 'user.grant.added',
          at,
          payload: { userId: person.userId, roleKeys: grant.roleKeys },
        });
      }
      if (person.lastSignInMs !== null) {
        push({
          aggregateType: 'user',
          aggregateId: person.userId,
          type: 'user.human.password.check.succeeded',
          at: person.lastSignInMs,
          payload: {},
        });
      }
    }
    for (const event of initial.sort((a, b) => a.at - b.at)) this.append(event);
  }

  routes(error: ErrorResponse): Route[] {
    const connectMissing = (): SimResponse => ({
      status: 404,
      headers: { 'content-type': 'application/json' },
      body: { code: 'unimplemented', message: 'procedure not found' },
    });
    // A Connect procedure of a service the server may not have (then 404, as connect-go's mux answers).
    const procedure = (
      name: string,
      pattern: string,
      present: () => boolean,
      handle: (body: Record<string, unknown>) => SimResponse,
    ): Route => ({
      name,
      method: 'POST',
      pattern,
      handle: (req) => (present() ? withJson(req, error, handle) : connectMissing()),
    });
    return [
      procedure(
        'listGroups',
        '/zitadel.group.v2.GroupService/ListGroups',
        () => this.groupService,
        (body) => {
          const ids = inIds(body, 'groupIds');
          const found = this.groups.filter((g) => ids === null || ids.includes(g.id));
          const sorted = [...found].sort((a, b) => a.name.localeCompare(b.name));
          return paginated(body, sorted, error, (page, pagination) => ({
            groups: page.map((g) => ({ ...g, organizationId: ZITADEL_ORG_ID })),
            pagination,
          }));
        },
      ),
      procedure(
        'listGroupUsers',
        '/zitadel.group.v2.GroupService/ListGroupUsers',
        () => this.groupService,
        (body) => {
          const userIds = inIds(body, 'userIds');
          const groupIds = inIds(body, 'groupIds');
          const found = this.members.filter(
            (m) =>
              (userIds === null || userIds.includes(m.userId)) &&
              (groupIds === null || groupIds.includes(m.groupId)),
          );
          return paginated(body, found, error, (page, pagination) => ({
            groupUsers: page.map((m) => {
              const person = this.people.get(m.userId);
              return {
                groupId: m.groupId,
                organizationId: ZITADEL_ORG_ID,
                user: {
                  id: m.userId,
                  preferredLoginName: person?.loginName,
                  displayName: person?.displayName,
                  organizationId: ZITADEL_ORG_ID,
                },
                creationDate: m.creationDate,
              };
            }),
            pagination,
          }));
        },
      ),
      procedure(
        'listAuthorizations',
        '/zitadel.authorization.v2.AuthorizationService/ListAuthorizations',
        () => this.authorizationsV2,
        (body) => {
          const userIds = inIds(body, 'inUserIds');
          const found = this.grants
            .filter((g) => userIds === null || userIds.includes(g.userId))
            .sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
          return paginated(body, found, error, (page, pagination) => ({
            pagination,
            authorizations: page.map((g) => ({
              id: g.id,
              creationDate: g.creationDate,
              changeDate: g.changeDate,
              project: {
                id: projectId(g.project.key),
                name: g.project.name,
                organizationId: ZITADEL_ORG_ID,
              },
              organization: { id: ZITADEL_ORG_ID, name: 'ACME' },
              user: { id: g.userId, organizationId: ZITADEL_ORG_ID },
              state: g.state,
              roles: g.roleKeys.map((key) => ({
                key,
                displayName: g.project.roles.find((r) => r.key === key)?.name ?? key,
                group: g.project.key,
              })),
            })),
          }));
        },
      ),
      {
        name: 'searchAuthorizationsV2beta',
        method: 'POST',
        pattern: '/v2beta/authorizations/search',
        handle: (req) =>
          withJson(req, error, (body) => {
            const userId = idFilter(body.filters, 'userId');
            if (userId === undefined) throw new BadArgument('filters must hold one userId filter');
            const found = this.grants.filter((g) => g.userId === userId);
            return paginated(body, found, error, (page, pagination) => ({
              pagination,
              authorizations: page.map((g) => ({
                id: g.id,
                creationDate: g.creationDate,
                changeDate: g.changeDate,
                projectId: projectId(g.project.key),
                projectName: g.project.name,
                organizationId: ZITADEL_ORG_ID,
                userId: g.userId,
                state: g.state,
                roles: g.roleKeys,
              })),
            }));
          }),
      },
      {
        name: 'listSessions',
        method: 'POST',
        pattern: '/v2/sessions/search',
        handle: (req) =>
          withJson(req, error, (body) => {
            const userId = idFilter(body.queries, 'userIdQuery');
            const person = userId === undefined ? undefined : this.people.get(userId);
            const sessions = person ? this.sessionsOf(person) : [];
            return {
              status: 200,
              headers: { 'content-type': 'application/json' },
              body: { details: { totalResult: String(sessions.length) }, sessions },
            };
          }),
      },
      {
        name: 'listEvents',
        method: 'POST',
        pattern: '/admin/v1/events/_search',
        handle: (req) => {
          if (!this.eventsAllowed) return error(403, 'No matching permissions found', 'AUTHZ-HKJD33');
          return withJson(req, error, (body) => this.searchEvents(body));
        },
      },
    ];
  }

  // What a test (or the property test) changes upstream; each appends the events ZITADEL would write.

  changeProfile(userId: string, at = Date.now()): void {
    this.append({
      aggregateType: 'user',
      aggregateId: userId,
      type: 'user.human.profile.changed',
      at,
      payload: {},
      sequence: 0,
    });
  }

  lock(userId: string, at = Date.now()): void {
    this.append({
      aggregateType: 'user',
      aggregateId: userId,
      type: 'user.locked',
      at,
      payload: {},
      sequence: 0,
    });
  }

  signIn(userId: string, at = Date.now()): void {
    this.append({
      aggregateType: 'user',
      aggregateId: userId,
      type: 'user.human.password.check.succeeded',
      at,
      payload: {},
      sequence: 0,
    });
  }

  grantRole(userId: string, projectKey: string, roleKey: string, at = Date.now()): string {
    const grant = this.newGrant(userId, projectKey, roleKey, at);
    this.append({
      aggregateType: 'usergrant',
      aggregateId: grant.id,
      type: 'user.grant.added',
      at,
      payload: { userId, roleKeys: grant.roleKeys },
      sequence: 0,
    });
    return grant.id;
  }

  revokeRole(grantId: string, at = Date.now()): void {
    const index = this.grants.findIndex((g) => g.id === grantId);
    if (index < 0) throw new Error(`no grant ${grantId}`);
    const [grant] = this.grants.splice(index, 1);
    this.append({
      aggregateType: 'usergrant',
      aggregateId: grantId,
      type: 'user.grant.removed',
      at,
      payload: { userId: grant?.userId },
      sequence: 0,
    });
  }

  addToGroup(userId: string, groupId: string, at = Date.now()): void {
    if (this.members.some((m) => m.userId === userId && m.groupId === groupId)) return;
    this.members.push({ groupId, userId, creationDate: iso(at) });
    this.append({
      aggregateType: 'group',
      aggregateId: groupId,
      type: 'group.user.added',
      at,
      payload: { userId },
      sequence: 0,
    });
  }

  removeFromGroup(userId: string, groupId: string, at = Date.now()): void {
    const index = this.members.findIndex((m) => m.userId === userId && m.groupId === groupId);
    if (index < 0) return;
    this.members.splice(index, 1);
    this.append({
      aggregateType: 'group',
      aggregateId: groupId,
      type: 'group.user.removed',
      at,
      payload: { userId },
      sequence: 0,
    });
  }

  private newGrant(userId: string, projectKey: string, roleKey: string, at: number): GrantRow {
    const project = SEED_PROJECTS.find((p) => p.key === projectKey);
    if (!project) throw new Error(`no project ${projectKey}`);
    const grant: GrantRow = {
      id: `4${String(this.nextId++).padStart(17, '0')}`,
      userId,
      project,
      roleKeys: [roleKey],
      state: 'STATE_ACTIVE',
      creationDate: iso(at),
      changeDate: iso(at),
    };
    this.grants.push(grant);
    return grant;
  }

  private append(event: SimEvent): void {
    const key = `${event.aggregateType}:${event.aggregateId}`;
    const sequence = (this.sequences.get(key) ?? 0) + 1;
    this.sequences.set(key, sequence);
    this.events.push({ ...event, sequence });
  }

  /** Ends a session (DeleteSession); terminated sessions leave ListSessions, as in ZITADEL's projection. */
  terminateSession(sessionId: string): void {
    this.terminated.add(sessionId);
  }

  /** The ids of a user's live sessions. */
  sessionIds(userId: string): string[] {
    const person = this.people.get(userId);
    return person ? this.sessionsOf(person).map((session) => (session as { id: string }).id) : [];
  }

  private sessionsOf(person: AccessPerson): unknown[] {
    if (person.lastSignInMs === null) return [];
    const sessions = Array.from({ length: sessionCountOf(person.personId) }, (_, n) => {
      const started = person.lastSignInMs as number;
      return {
        id: `5${person.userId.slice(1, 12)}${n}`,
        creationDate: iso(started - n * 3_600_000),
        changeDate: iso(started),
        sequence: String(3 + n),
        expirationDate: iso(started + 12 * 3_600_000),
        factors: {
          user: {
            verifiedAt: iso(started - n * 3_600_000),
            id: person.userId,
            loginName: person.loginName,
            displayName: person.displayName,
            organizationId: ZITADEL_ORG_ID,
          },
          password: { verifiedAt: iso(started - n * 3_600_000) },
        },
        userAgent: {
          fingerprintId: `fp${n}`,
          ip: sessionIp(person.personId, n),
          description: userAgentOf(person.personId, n),
        },
      };
    });
    return sessions.filter((session) => !this.terminated.has((session as { id: string }).id));
  }

  /** admin.v1 ListEvents: ordered by position; `asc`; strict `range.since`/`from`; limit 0 or >1000 is 1000. */
  private searchEvents(body: Record<string, unknown>): SimResponse {
    const limitRaw = body.limit === undefined ? 0 : Number(body.limit);
    if (!Number.isInteger(limitRaw) || limitRaw < 0) throw new BadArgument('invalid limit');
    const limit = limitRaw === 0 || limitRaw > 1000 ? 1000 : limitRaw;
    const range = (body.range ?? {}) as { since?: unknown };
    const sinceText = range.since ?? body.from;
    const since = typeof sinceText === 'string' ? Date.parse(sinceText) : Number.NEGATIVE_INFINITY;
    if (Number.isNaN(since)) throw new BadArgument('invalid timestamp');
    const types = Array.isArray(body.aggregateTypes) ? (body.aggregateTypes as string[]) : null;
    if (types !== null && types.length > 10) throw new BadArgument('at most 10 aggregate types');
    const matching = this.events.filter(
      (e) => e.at > since && (types === null || types.includes(e.aggregateType)),
    );
    const ordered = body.asc === true ? matching : [...matching].reverse();
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: {
        events: ordered.slice(0, limit).map((e) => ({
          editor: { userId: '69629023906488334', displayName: 'Admin', service: 'zitadel' },
          aggregate: { id: e.aggregateId, type: { type: e.aggregateType }, resourceOwner: ZITADEL_ORG_ID },
          sequence: String(e.sequence),
          creationDate: iso(e.at),
          payload: e.payload,
          type: { type: e.type },
        })),
      },
    };
  }
}

class BadArgument extends Error {}

/** The `id` of the first `{ [key]: { id } }` entry of a request's filter list, when it is a string. */
function idFilter(list: unknown, key: string): string | undefined {
  const entries = Array.isArray(list) ? (list as Record<string, unknown>[]) : [];
  const filter = entries.find((entry) => typeof entry?.[key] === 'object')?.[key] as
    | { id?: unknown }
    | undefined;
  return typeof filter?.id === 'string' ? filter.id : undefined;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function projectId(key: string): string {
  return `6${String(SEED_PROJECTS.findIndex((p) => p.key === key) + 1).padStart(17, '0')}`;
}

function inIds(body: Record<string, unknown>, name: string): string[] | null {
  const filters = Array.isArray(body.filters) ? (body.filters as Record<string, unknown>[]) : [];
  const filter = filters.find((f) => typeof f[name] === 'object' && f[name] !== null)?.[name] as
    | { ids?: unknown }
    | undefined;
  if (filter === undefined) return null;
  if (!Array.isArray(filter.ids) || filter.ids.some((id) => typeof id !== 'string')) {
    throw new BadArgument(`${name}.ids must be a list of strings`);
  }
  return filter.ids as string[];
}

/** filter.v2 PaginationRequest: default limit 100, above 1000 an error; `asc` ignored here (order is the caller's sort). */
function paginated<T>(
  body: Record<string, unknown>,
  rows: readonly T[],
  error: ErrorResponse,
  shape: (page: readonly T[], pagination: Record<string, string>) => unknown,
): SimResponse {
  const pagination = (body.pagination ?? {}) as { offset?: unknown; limit?: unknown };
  const offset = pagination.offset === undefined ? 0 : Number(pagination.offset);
  const limit =
    pagination.limit === undefined || Number(pagination.limit) === 0 ? 100 : Number(pagination.limit);
  if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 0) {
    return error(400, 'invalid pagination', 'QUERY-4M9s3');
  }
  if (limit > 1000) return error(400, 'limit exceeds the maximum of 1000', 'QUERY-4M9s4');
  const page = rows.slice(offset, offset + limit);
  return {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: shape(page, { totalResult: String(rows.length), appliedLimit: String(limit) }),
  };
}

function withJson(
  req: SimRequest,
  error: ErrorResponse,
  handle: (body: Record<string, unknown>) => SimResponse,
): SimResponse {
  const body = req.body ?? {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return error(400, 'request body must be a JSON object', null);
  }
  try {
    return handle(body as Record<string, unknown>);
  } catch (failure) {
    if (failure instanceof BadArgument) return error(400, failure.message, 'SIMULATOR-400');
    throw failure;
  }
}
