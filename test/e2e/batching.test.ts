import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { encodeUserId } from '../../src/directory/global-id.js';
import { SpreadIdsDocument } from '../generated/graphql.js';
import { Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await Stack.start({ perDirectory: 40, latencyMs: 2 });
});
afterAll(() => stack.close());
beforeEach(() => stack.sims.resetAll());

it('fetches 60 users spread over node, nodes, user, directory.user and aliases with the contract minimum of upstream calls', async () => {
  const a = stack.ids.monocloud.slice(0, 20);
  const c = stack.ids.zitadel.slice(0, 20);
  const m = stack.ids.appServices.slice(0, 20);
  const g = (directory: string, ids: string[]) => ids.map((id) => encodeUserId(directory, id));
  const many = [...g('acme', a.slice(1, 15)), ...g('corp', c.slice(1, 19)), ...g('mobile', m.slice(0, 19))];
  // Interleave directories and repeat a few ids: neither may change the batches.
  many.sort();
  many.push(encodeUserId('acme', a[1] ?? ''), encodeUserId('corp', c[1] ?? ''));

  const { body } = await stack.execute(SpreadIdsDocument, {
    one: encodeUserId('acme', a[0] ?? ''),
    two: encodeUserId('corp', c[0] ?? ''),
    many,
    acmeIds: [...g('acme', a.slice(15, 19)), encodeUserId('acme', a[1] ?? '')],
    acmeLocal: a[19] ?? '',
    corpLocal: c[19] ?? '',
    mobileLocal: m[19] ?? '',
  });

  expect(body.errors).toBeUndefined();
  expect(body.data?.many).toHaveLength(many.length);
  expect(body.data?.many?.every((user) => user !== null)).toBe(true);
  expect(body.data?.acme?.user?.id).toBe(encodeUserId('acme', a[19] ?? ''));

  // MonoCloud and App Services have no batch read: one GET per distinct id, each id once.
  expect(stack.sims.monocloud.count('getUser')).toBe(20);
  expect(new Set(stack.sims.monocloud.log.map((entry) => entry.path)).size).toBe(20);
  expect(stack.sims.appServices.count('getUser')).toBe(20);
  // ZITADEL: all 20 ids in ONE ListUsers call with inUserIdsQuery.
  expect(stack.sims.zitadel.count()).toBe(1);
  expect(stack.sims.zitadel.count('listUsers')).toBe(1);
  const request = stack.sims.zitadel.log[0]?.body as { queries: { inUserIdsQuery: { userIds: string[] } }[] };
  expect(new Set(request.queries[0]?.inUserIdsQuery.userIds)).toEqual(new Set(c));
});

it('never shares a loader cache between requests', async () => {
  const id = encodeUserId('acme', stack.ids.monocloud[2] ?? '');
  const variables = {
    one: id,
    two: id,
    many: [id],
    acmeIds: [id],
    acmeLocal: stack.ids.monocloud[2] ?? '',
    corpLocal: 'x',
    mobileLocal: 'y',
  };
  await stack.execute(SpreadIdsDocument, variables);
  await stack.execute(SpreadIdsDocument, variables);
  expect(stack.sims.monocloud.count('getUser')).toBe(2);
});
