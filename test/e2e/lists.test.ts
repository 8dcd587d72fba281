import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeUserId } from '../../src/directory/global-id.js';
import {
  DirectoryUsersDocument,
  type DirectoryUsersQuery,
  MergedUsersDocument,
  type MergedUsersQuery,
  type MergedUsersQueryVariables,
  type UserFilter,
  type UserOrder,
} from '../generated/graphql.js';
import { type GraphQLResponse, Stack } from '../support/stack.js';

const NO_FILTER: UserFilter = {
  text: null,
  email: null,
  status: null,
  kind: null,
  createdAfter: null,
  createdBefore: null,
};

let stack: Stack;
beforeAll(async () => {
  stack = await Stack.start({ perDirectory: 120 });
});
afterEach(() => stack.sims.resetAll());
afterAll(() => stack.close());

interface Listed {
  readonly id: string;
  readonly createdAt: string | null;
  readonly directory: string;
  readonly localId: string;
}

function allIds(): string[] {
  const ids = stack.ids;
  return [
    ...ids.monocloud.map((id) => encodeUserId('acme', id)),
    ...ids.zitadel.map((id) => encodeUserId('corp', id)),
    ...ids.appServices.map((id) => encodeUserId('mobile', id)),
  ];
}

function sortKey(user: Listed): [number, string, string] {
  const time = user.createdAt === null ? Number.POSITIVE_INFINITY : Date.parse(user.createdAt);
  return [time, user.directory, user.localId];
}

function inOrder(a: Listed, b: Listed, order: UserOrder): boolean {
  const [ka, kb] = [sortKey(a), sortKey(b)];
  const cmp =
    ka[0] !== kb[0] ? ka[0] - kb[0] : ka[1] !== kb[1] ? (ka[1] < kb[1] ? -1 : 1) : ka[2] < kb[2] ? -1 : 1;
  return order === 'CREATED_AT_ASC' ? cmp < 0 : cmp > 0;
}

describe('Query.users', () => {
  for (const orderBy of ['CREATED_AT_ASC', 'CREATED_AT_DESC'] as const) {
    it(`pages of 17 (${orderBy}) return every user of every directory exactly once, in order`, async () => {
      const seen: Listed[] = [];
      let after: string | null = null;
      for (let page = 0; page < 100; page += 1) {
        const { body }: GraphQLResponse<MergedUsersQuery> = await stack.execute(MergedUsersDocument, {
          first: 17,
          after,
          filter: null,
          orderBy,
          directories: null,
        });
        expect(body.errors).toBeUndefined();
        const users: MergedUsersQuery['users'] | undefined = body.data?.users;
        expect(users?.edges.length).toBeLessThanOrEqual(17);
        for (const { node } of users?.edges ?? []) {
          seen.push({
            id: node.id,
            createdAt: node.createdAt,
            directory: node.directory.name,
            localId: node.localId,
          });
        }
        if (!users?.pageInfo.hasNextPage) break;
        after = users.pageInfo.endCursor;
      }
      expect(seen.map((user) => user.id).sort()).toEqual(allIds().sort());
      const outOfOrder = seen.slice(1).filter((user, i) => !inOrder(seen[i] as Listed, user, orderBy));
      expect(outOfOrder).toEqual([]);
      // Equal creation times (the bulk import) do occur, so pages really split ties.
      expect(new Set(seen.map((user) => user.createdAt)).size).toBeLessThan(seen.length);
    });
  }

  it('sums the totals when every chosen directory reports one, and is null when one does not', async () => {
    const both = await stack.execute(MergedUsersDocument, {
      first: 5,
      after: null,
      filter: null,
      orderBy: null,
      directories: ['corp', 'acme'],
    });
    expect(both.body.data?.users?.totalCount).toBe(stack.ids.monocloud.length + stack.ids.zitadel.length);
    expect(new Set(both.body.data?.users?.edges.map((edge) => edge.node.directory.name))).not.toContain(
      'mobile',
    );
    const all = await stack.execute(MergedUsersDocument, {
      first: 5,
      after: null,
      filter: null,
      orderBy: null,
      directories: null,
    });
    expect(all.body.data?.users?.totalCount).toBeNull();
  });

  it('filters across directories', async () => {
    const { body } = await stack.execute(MergedUsersDocument, {
      first: 100,
      after: null,
      filter: { ...NO_FILTER, status: ['DISABLED'] },
      orderBy: null,
      directories: null,
    });
    expect(body.errors).toBeUndefined();
    const statuses = new Set(body.data?.users?.edges.map((edge) => edge.node.status));
    expect([...statuses]).toEqual(['DISABLED']);
  });

  it('returns the healthy directories’ users when one directory is down, with an error naming it', async () => {
    stack.sims.zitadel.inject({ route: 'listUsers', fault: { type: 'status', status: 500 }, times: 1000 });
    const { status, body } = await stack.execute(MergedUsersDocument, {
      first: 30,
      after: null,
      filter: null,
      orderBy: null,
      directories: null,
    });
    expect(status).toBe(200);
    const directories = new Set(body.data?.users?.edges.map((edge) => edge.node.directory.name));
    expect([...directories].sort()).toEqual(['acme', 'mobile']);
    expect(body.data?.users?.edges).toHaveLength(30);
    expect(body.data?.users?.pageInfo.hasNextPage).toBe(true);
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]?.path).toEqual(['users']);
    expect(body.errors?.[0]?.extensions).toMatchObject({
      code: 'DIRECTORY_UNAVAILABLE',
      directory: 'corp',
      provider: 'zitadel',
    });
  });

  it('refuses bad arguments with BAD_USER_INPUT naming the argument', async () => {
    const base = { first: 10, after: null, filter: null, orderBy: null, directories: null };
    const cases: [MergedUsersQueryVariables, string][] = [
      [{ ...base, first: 0 }, 'first'],
      [{ ...base, first: 101 }, 'first'],
      [{ ...base, after: 'not-a-cursor' }, 'after'],
      [{ ...base, directories: ['acme', 'nowhere'] }, 'directories'],
    ];
    for (const [variables, argument] of cases) {
      const { body } = await stack.execute(MergedUsersDocument, variables);
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    }
    const first = await stack.execute(MergedUsersDocument, base);
    const after = first.body.data?.users?.pageInfo.endCursor ?? null;
    for (const changed of [
      { orderBy: 'CREATED_AT_DESC' as const },
      { filter: { ...NO_FILTER, kind: 'HUMAN' as const } },
      { directories: ['acme'] },
    ]) {
      const { body } = await stack.execute(MergedUsersDocument, { ...base, after, ...changed });
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
    }
  });
});

describe('Directory.users', () => {
  it('first 100 on App Services costs exactly 2 upstream list requests (50 per page)', async () => {
    expect(stack.ids.appServices.length).toBeGreaterThan(100);
    const { body } = await stack.execute(DirectoryUsersDocument, {
      directory: 'mobile',
      first: 100,
      after: null,
      filter: null,
      orderBy: null,
    });
    expect(body.errors).toBeUndefined();
    expect(body.data?.directory?.users?.edges).toHaveLength(100);
    expect(body.data?.directory?.users?.totalCount).toBeNull();
    expect(stack.sims.appServices.count('listUsers')).toBe(2);
  });

  for (const [directory, key] of [
    ['acme', 'monocloud'],
    ['corp', 'zitadel'],
    ['mobile', 'appServices'],
  ] as const) {
    it(`pages through ${directory} with its own paging: every user once, in creation order, with a total where reported`, async () => {
      const seen: string[] = [];
      const times: number[] = [];
      let after: string | null = null;
      for (let page = 0; page < 50; page += 1) {
        const { body }: GraphQLResponse<DirectoryUsersQuery> = await stack.execute(DirectoryUsersDocument, {
          directory,
          first: 23,
          after,
          filter: null,
          orderBy: 'CREATED_AT_DESC',
        });
        expect(body.errors).toBeUndefined();
        const users: NonNullable<DirectoryUsersQuery['directory']>['users'] | undefined =
          body.data?.directory?.users;
        if (key !== 'appServices') expect(users?.totalCount).toBe(stack.ids[key].length);
        expect(users?.pageInfo.hasPreviousPage).toBe(false);
        for (const { node } of users?.edges ?? []) {
          seen.push(node.localId);
          times.push(node.createdAt === null ? Number.NEGATIVE_INFINITY : Date.parse(node.createdAt));
        }
        if (!users?.pageInfo.hasNextPage) break;
        after = users.pageInfo.endCursor;
      }
      expect([...seen].sort()).toEqual([...stack.ids[key]].sort());
      expect(times).toEqual([...times].sort((a, b) => b - a));
    });
  }

  it('resumes from any edge’s cursor right after that edge', async () => {
    const variables = { directory: 'corp', first: 10, filter: null, orderBy: null };
    const first = await stack.execute(DirectoryUsersDocument, { ...variables, after: null });
    const edges = first.body.data?.directory?.users?.edges ?? [];
    const resumed = await stack.execute(DirectoryUsersDocument, {
      ...variables,
      after: edges[3]?.cursor ?? null,
    });
    expect(resumed.body.data?.directory?.users?.edges.slice(0, 6).map((edge) => edge.node.id)).toEqual(
      edges.slice(4).map((edge) => edge.node.id),
    );
  });

  it('fails the field with the directory’s error when its list fails', async () => {
    stack.sims.monocloud.inject({ route: 'listUsers', fault: { type: 'status', status: 500 }, times: 1000 });
    const { body } = await stack.execute(DirectoryUsersDocument, {
      directory: 'acme',
      first: 10,
      after: null,
      filter: null,
      orderBy: null,
    });
    // The directory's own connection is null with the error; the directory itself still answers.
    expect(body.data?.directory).toEqual({ name: 'acme', users: null });
    expect(body.errors?.[0]?.path).toEqual(['directory', 'users']);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'DIRECTORY_UNAVAILABLE', directory: 'acme' });
  });

  it('refuses a cursor of another directory', async () => {
    const base = { first: 5, filter: null, orderBy: null };
    const acme = await stack.execute(DirectoryUsersDocument, { ...base, directory: 'acme', after: null });
    const { body } = await stack.execute(DirectoryUsersDocument, {
      ...base,
      directory: 'corp',
      after: acme.body.data?.directory?.users?.pageInfo.endCursor ?? null,
    });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
  });

  it.each([
    'acme',
    'corp',
    'mobile',
  ])('%s: a cursor of another filter or order is BAD_USER_INPUT on `after`, before any upstream call', async (directory) => {
    const filter = { kind: 'HUMAN' as const };
    const first = await stack.execute(DirectoryUsersDocument, {
      directory,
      first: 2,
      filter,
      orderBy: null,
      after: null,
    });
    const after = first.body.data?.directory?.users?.pageInfo.endCursor ?? null;
    expect(after).toEqual(expect.any(String));
    stack.sims.resetAll();
    for (const [otherFilter, orderBy] of [
      [{ kind: 'MACHINE' as const }, null],
      [null, null],
      [filter, 'CREATED_AT_DESC' as const],
    ] as const) {
      const { body } = await stack.execute(DirectoryUsersDocument, {
        directory,
        first: 2,
        filter: otherFilter,
        orderBy,
        after,
      });
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
    }
    expect(stack.sims.monocloud.count() + stack.sims.zitadel.count() + stack.sims.appServices.count()).toBe(
      0,
    );
  });
});
