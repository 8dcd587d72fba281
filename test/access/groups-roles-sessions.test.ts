import { print } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeGroupId, encodeGroupId, encodeUserId } from '../../src/directory/global-id.js';
import {
  DirectoryGroupsDocument,
  GroupMembersPagedDocument,
  NodeGroupDocument,
  UserGroupsPagedDocument,
  UserSessionsDocument,
  UsersAccessDocument,
} from '../generated/graphql.js';
import { Stack } from '../support/stack.js';

// Groups, roles and sessions over HTTP against the simulators (issue 16): every field per provider,
// the coded nulls where a provider cannot serve one, and the upstream requests the batched paths make.

let stack: Stack;
beforeAll(async () => {
  stack = await Stack.start({ perDirectory: 60 });
});
afterAll(() => stack.close());
beforeEach(() => {
  stack.sims.resetAll();
  stack.sims.zitadel.access.groupService = true;
  stack.sims.zitadel.access.authorizationsV2 = true;
  stack.sims.monocloud.access.plan = 'pro';
});

function usersOf(directory: string, first = 50) {
  return stack.execute(UsersAccessDocument, { directory, first });
}

describe('ZITADEL', () => {
  it('a page of 50 users with groups { name } and roles { key }: ListUsers, then one ListGroupUsers, one ListGroups and one ListAuthorizations', async () => {
    const { body } = await usersOf('corp');
    expect(body.errors).toBeUndefined();
    const users = body.data?.directory?.users?.nodes ?? [];
    expect(users).toHaveLength(50);
    const sim = stack.sims.zitadel;
    expect(sim.count('listGroupUsers')).toBe(1);
    expect(sim.count('listGroups')).toBe(1);
    expect(sim.count('listAuthorizations')).toBe(1);
    // The memberships of all 50 users were asked in that one request.
    const request = sim.log.find((e) => e.route === 'listGroupUsers')?.body as {
      filters: { userIds: { ids: string[] } }[];
    };
    expect(new Set(request.filters[0]?.userIds.ids)).toEqual(new Set(users.map((u) => u.localId)));
    // What the simulator holds is what comes back, user by user.
    for (const user of users) {
      const expected = sim.access.members.filter((m) => m.userId === user.localId).map((m) => m.groupId);
      expect(user.groups?.totalCount).toBe(expected.length);
      const ids = (user.groups?.edges ?? []).map((e) => decodeGroupId(e.node.id)?.localId);
      expect(new Set(ids)).toEqual(new Set(expected));
      for (const edge of user.groups?.edges ?? []) {
        expect(edge.addedAt).toMatch(/^\d{4}-/);
        expect(sim.access.groups.find((g) => g.id === decodeGroupId(edge.node.id)?.localId)?.name).toBe(
          edge.node.name,
        );
      }
      const grants = sim.access.grants.filter((g) => g.userId === user.localId);
      expect(user.roles?.nodes.map((r) => r.roleKey).sort()).toEqual(
        grants.flatMap((g) => g.roleKeys).sort(),
      );
    }
    expect(users.some((u) => (u.groups?.totalCount ?? 0) > 0)).toBe(true);
    expect(users.some((u) => (u.roles?.totalCount ?? 0) > 0)).toBe(true);
    expect(
      users.some((u) => u.roles?.nodes.some((r) => r.scope.name === 'Admin Console' && r.state === 'ACTIVE')),
    ).toBe(true);
  });

  it('sessions: one search per user, with the session’s IP and user agent', async () => {
    const ids = stack.ids.zitadel.slice(0, 40);
    let seen = 0;
    for (const person of ids) {
      stack.sims.resetAll();
      const { body } = await stack.execute(UserSessionsDocument, { id: encodeUserId('corp', person) });
      expect(body.errors).toBeUndefined();
      const sessions = body.data?.user?.sessions;
      expect(sessions).not.toBeNull();
      expect(stack.sims.zitadel.count('listSessions')).toBe(1);
      const search = stack.sims.zitadel.log.find((e) => e.route === 'listSessions')?.body;
      expect(search).toMatchObject({ queries: [{ userIdQuery: { id: person } }] });
      for (const session of sessions?.nodes ?? []) {
        expect(session.ip).toMatch(/^198\.51\.100\./);
        expect(session.userAgent).toContain('Mozilla/5.0');
        seen += 1;
      }
    }
    expect(seen).toBeGreaterThan(0);
  });
});

describe('the upstream-call budget', () => {
  it('estimates groups, roles and sessions before execution, as an upper bound of what they cost', async () => {
    const query = print(UsersAccessDocument);
    for (const directory of ['corp', 'acme']) {
      stack.sims.resetAll();
      const response = await stack.app.fetch('http://usergraph.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query, variables: { directory, first: 50 }, extensions: { cost: true } }),
      });
      const body = (await response.json()) as {
        extensions: { cost: { estimate: Record<string, number>; actual: Record<string, number> } };
      };
      const { estimate, actual } = body.extensions.cost;
      const sim = directory === 'corp' ? stack.sims.zitadel : stack.sims.monocloud;
      expect(actual[directory]).toBe(sim.count());
      expect(estimate[directory]).toBeGreaterThanOrEqual(actual[directory] ?? 0);
    }
  });
});

describe('MonoCloud', () => {
  it('groups one call per user, the group read once per distinct group; roles are UNSUPPORTED_BY_PROVIDER', async () => {
    const { body } = await usersOf('acme', 10);
    const users = body.data?.directory?.users?.nodes ?? [];
    expect(users).toHaveLength(10);
    expect(stack.sims.monocloud.count('listUserGroups')).toBe(10);
    const distinct = new Set(users.flatMap((u) => stack.sims.monocloud.access.groupIdsOf(u.localId)));
    expect(stack.sims.monocloud.count('getGroup')).toBe(distinct.size);
    for (const user of users) {
      expect(new Set(user.groups?.edges.map((e) => decodeGroupId(e.node.id)?.localId))).toEqual(
        new Set(stack.sims.monocloud.access.groupIdsOf(user.localId)),
      );
      expect(user.roles).toBeNull();
    }
    const roleErrors = body.errors?.filter((e) => e.path?.at(-1) === 'roles') ?? [];
    expect(roleErrors).toHaveLength(10);
    expect(roleErrors[0]?.extensions).toMatchObject({ code: 'UNSUPPORTED_BY_PROVIDER', directory: 'acme' });
  });

  it('sessions on the Pro plan; PLAN_REQUIRED (null, not empty) below it', async () => {
    const access = stack.sims.monocloud.access;
    const withSessions = stack.sims.monocloud.users.find((u) => access.sessionCount(u.user_id) >= 2);
    const id = encodeUserId('acme', withSessions?.user_id ?? '');
    const pro = await stack.execute(UserSessionsDocument, { id });
    expect(pro.body.errors).toBeUndefined();
    const sessions = pro.body.data?.user?.sessions?.nodes ?? [];
    expect(sessions).toHaveLength(access.sessionCount(withSessions?.user_id ?? ''));
    expect(sessions.length).toBeGreaterThanOrEqual(2);
    expect(sessions.every((s) => s.ip?.startsWith('198.51.100.'))).toBe(true);

    stack.sims.monocloud.access.plan = 'free';
    const free = await stack.execute(UserSessionsDocument, { id });
    expect(free.body.data?.user?.id).toBe(id);
    expect(free.body.data?.user?.sessions).toBeNull();
    expect(free.body.errors?.[0]?.extensions).toMatchObject({
      code: 'PLAN_REQUIRED',
      directory: 'acme',
      upstreamStatus: 402,
    });
  });

  it('a user’s groups page by cursor; a forged cursor is BAD_USER_INPUT', async () => {
    const member = stack.sims.monocloud.users.find(
      (u) => stack.sims.monocloud.access.groupIdsOf(u.user_id).length >= 2,
    );
    const id = encodeUserId('acme', member?.user_id ?? '');
    const page1 = await stack.execute(UserGroupsPagedDocument, { id, first: 1 });
    const page2 = await stack.execute(UserGroupsPagedDocument, {
      id,
      first: 1,
      after: page1.body.data?.user?.groups?.pageInfo.endCursor,
    });
    expect(page1.body.data?.user?.groups?.pageInfo.hasNextPage).toBe(true);
    expect(page2.body.data?.user?.groups?.nodes[0]?.name).not.toBe(
      page1.body.data?.user?.groups?.nodes[0]?.name,
    );
    const forged = await stack.execute(UserGroupsPagedDocument, { id, first: 1, after: 'bm90LWEtY3Vyc29y' });
    expect(forged.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
    const tooMany = await stack.execute(UserGroupsPagedDocument, { id, first: 1000 });
    expect(tooMany.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'first' });
  });
});

describe('App Services', () => {
  it('groups and roles are null with UNSUPPORTED_BY_PROVIDER, never empty, and cost no upstream call', async () => {
    const { body } = await usersOf('mobile', 3);
    const users = body.data?.directory?.users?.nodes ?? [];
    expect(users).toHaveLength(3);
    expect(users.every((u) => u.groups === null && u.roles === null)).toBe(true);
    expect(body.errors).toHaveLength(6);
    expect(new Set(body.errors?.map((e) => e.extensions?.code))).toEqual(
      new Set(['UNSUPPORTED_BY_PROVIDER']),
    );
    expect(stack.sims.appServices.count()).toBe(
      stack.sims.appServices.count('listUsers') + stack.sims.appServices.count('login'),
    );
  });
});

describe('App Services sessions', () => {
  it('are null with UNSUPPORTED_BY_PROVIDER (it has no session list), with no upstream call for them', async () => {
    const id = encodeUserId('mobile', stack.ids.appServices[3] ?? '');
    const { body } = await stack.execute(UserSessionsDocument, { id });
    expect(body.data?.user?.id).toBe(id);
    expect(body.data?.user?.sessions).toBeNull();
    expect(body.errors?.[0]?.extensions).toMatchObject({
      code: 'UNSUPPORTED_BY_PROVIDER',
      directory: 'mobile',
      feature: 'sessions',
    });
    expect(stack.sims.appServices.count('getUser')).toBe(1);
  });
});

describe('directory groups, members, capabilities and group nodes', () => {
  it.each([['acme'], ['corp']])('%s: groups with members, paged; node(id) of a group', async (directory) => {
    const { body } = await stack.execute(DirectoryGroupsDocument, { directory, first: 4 });
    expect(body.errors).toBeUndefined();
    const groups = body.data?.directory?.groups;
    expect(groups?.totalCount).toBe(6);
    expect(groups?.nodes).toHaveLength(4);
    expect(groups?.pageInfo.hasNextPage).toBe(true);
    const next = await stack.execute(DirectoryGroupsDocument, {
      directory,
      first: 4,
      after: groups?.pageInfo.endCursor,
    });
    expect(next.body.data?.directory?.groups?.nodes).toHaveLength(2);
    expect(next.body.data?.directory?.groups?.pageInfo.hasNextPage).toBe(false);
    const names = [...(groups?.nodes ?? []), ...(next.body.data?.directory?.groups?.nodes ?? [])].map(
      (g) => g.name,
    );
    expect(new Set(names).size).toBe(6);
    const withMembers = groups?.nodes.find((g) => (g.members?.totalCount ?? 0) > 0);
    expect(withMembers?.members?.edges.length).toBeGreaterThan(0);
    if (directory === 'acme') expect(withMembers?.memberCount).toBe(withMembers?.members?.totalCount);
    expect(body.data?.directory?.capabilities?.groups).toBe(true);

    const node = await stack.execute(NodeGroupDocument, { id: withMembers?.id ?? '' });
    expect(node.body.data?.node).toMatchObject({
      id: withMembers?.id,
      name: withMembers?.name,
      directoryName: directory,
    });
  });

  it('a member the directory no longer shows is left out, and the next page neither skips nor repeats', async () => {
    const sim = stack.sims.zitadel;
    const group = sim.access.groups.find(
      (g) => sim.access.members.filter((m) => m.groupId === g.id).length >= 4,
    );
    const members = sim.access.members.filter((m) => m.groupId === group?.id).map((m) => m.userId);
    const id = encodeGroupId('corp', group?.id ?? '');
    sim.restrictedUserIds.add(members[0] ?? '');
    try {
      const first = await stack.execute(GroupMembersPagedDocument, { id, first: 2 });
      expect(first.body.errors).toBeUndefined();
      const page1 =
        first.body.data?.node && 'members' in first.body.data.node ? first.body.data.node.members : null;
      expect(page1?.nodes.map((n) => n.localId)).toEqual([members[1]]);
      const second = await stack.execute(GroupMembersPagedDocument, {
        id,
        first: 2,
        after: page1?.pageInfo.endCursor,
      });
      const page2 =
        second.body.data?.node && 'members' in second.body.data.node ? second.body.data.node.members : null;
      expect(page2?.nodes.map((n) => n.localId)).toEqual([members[2], members[3]]);
    } finally {
      sim.restrictedUserIds.clear();
    }
  });

  it('App Services: capabilities say no groups, and groups is null with UNSUPPORTED_BY_PROVIDER', async () => {
    const { body } = await stack.execute(DirectoryGroupsDocument, { directory: 'mobile' });
    expect(body.data?.directory?.capabilities).toMatchObject({
      groups: false,
      roles: false,
      sessions: false,
      changeKinds: ['USER_CREATED'],
      changesComplete: false,
    });
    expect(body.data?.directory?.groups).toBeNull();
    expect(body.errors?.[0]?.extensions).toMatchObject({
      code: 'UNSUPPORTED_BY_PROVIDER',
      directory: 'mobile',
    });
  });
});

// Last: the provider remembers a missing service for a few minutes (RECHECK_MS), as it would on a real server.
describe('older ZITADEL servers', () => {
  it('falls back to the deprecated v2beta search, one per user, where AuthorizationService v2 is missing', async () => {
    stack.sims.zitadel.access.authorizationsV2 = false;
    const { body } = await usersOf('corp', 5);
    expect(body.errors).toBeUndefined();
    const users = body.data?.directory?.users?.nodes ?? [];
    for (const user of users) {
      const grants = stack.sims.zitadel.access.grants.filter((g) => g.userId === user.localId);
      expect(user.roles?.nodes.map((r) => r.roleKey).sort()).toEqual(
        grants.flatMap((g) => g.roleKeys).sort(),
      );
    }
    expect(stack.sims.zitadel.count('searchAuthorizationsV2beta')).toBe(5);
  });

  it('a server without the GroupService: groups are null with UNSUPPORTED_BY_PROVIDER, roles still served', async () => {
    stack.sims.zitadel.access.groupService = false;
    // A fresh provider would not know yet; this one may have learnt it was there: it still asks.
    const { body } = await usersOf('corp', 3);
    const users = body.data?.directory?.users?.nodes ?? [];
    expect(users).toHaveLength(3);
    expect(users.every((u) => u.groups === null)).toBe(true);
    expect(users.every((u) => u.roles !== null)).toBe(true);
    const codes = new Set(body.errors?.map((e) => e.extensions?.code));
    expect(codes).toEqual(new Set(['UNSUPPORTED_BY_PROVIDER']));
    expect(body.errors?.[0]?.extensions).toMatchObject({ directory: 'corp', feature: 'groups' });
  });
});
