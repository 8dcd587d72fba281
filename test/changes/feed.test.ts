import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encodeGroupId, encodeUserId } from '../../src/directory/global-id.js';
import { ChangesDocument, DirectoryChangesDocument } from '../generated/graphql.js';
import { Stack } from '../support/stack.js';

// The change feed over HTTP against the simulators (issue 16): what each directory reports, the
// upstream calls it takes, the coded errors, and cursors that resume exactly where a page ended.

let stack: Stack;
beforeAll(async () => {
  stack = await Stack.start({ perDirectory: 60 });
});
afterAll(() => stack.close());
beforeEach(() => {
  stack.sims.resetAll();
  stack.sims.zitadel.access.eventsAllowed = true;
});

const decodeChangeId = (id: string) => Buffer.from(id, 'base64url').toString('utf8');

/** After every ZITADEL event so far (earlier tests write some), so a test reads only its own. */
function afterZitadelEvents(): number {
  return Math.max(Date.now(), ...stack.sims.zitadel.access.events.map((e) => e.at));
}

describe('ZITADEL', () => {
  it('reads the event log from `since`: each kind of change, with the user and group it concerns, in one request', async () => {
    const sim = stack.sims.zitadel.access;
    const since = new Date(afterZitadelEvents()).toISOString();
    const [a, b] = stack.ids.zitadel;
    const group =
      sim.groups.find((g) => !sim.members.some((m) => m.userId === b && m.groupId === g.id))?.id ?? '';
    const now = afterZitadelEvents() + 1;
    sim.grantRole(a ?? '', 'billing', 'billing.viewer', now);
    sim.addToGroup(b ?? '', group, now + 1);
    sim.lock(a ?? '', now + 2);
    sim.signIn(b ?? '', now + 3);
    sim.changeProfile(a ?? '', now + 4);
    sim.removeFromGroup(b ?? '', group, now + 5);
    stack.sims.resetAll();

    const { body } = await stack.execute(DirectoryChangesDocument, { directory: 'corp', since, first: 50 });
    expect(body.errors).toBeUndefined();
    const nodes = body.data?.directory?.changes?.nodes ?? [];
    expect(nodes.map((n) => n.kind)).toEqual([
      'ROLE_GRANTED',
      'MEMBERSHIP_ADDED',
      'USER_STATE_CHANGED',
      'SIGN_IN',
      'USER_UPDATED',
      'MEMBERSHIP_REMOVED',
    ]);
    expect(nodes[0]?.userId).toBe(encodeUserId('corp', a ?? ''));
    expect(nodes[1]).toMatchObject({
      userId: encodeUserId('corp', b ?? ''),
      groupId: encodeGroupId('corp', group),
      rawType: 'group.user.added',
    });
    expect(nodes[3]?.user?.id).toBe(encodeUserId('corp', b ?? ''));
    // One event search; the six users' reads came in one ListUsers.
    expect(stack.sims.zitadel.count('listEvents')).toBe(1);
    const search = stack.sims.zitadel.log.find((e) => e.route === 'listEvents')?.body as Record<
      string,
      unknown
    >;
    expect(search).toMatchObject({ asc: true, aggregateTypes: ['user', 'usergrant', 'group'] });
  });

  it('without events.read the feed is null with DIRECTORY_FORBIDDEN, and the directory is not reported down', async () => {
    stack.sims.zitadel.access.eventsAllowed = false;
    const { body } = await stack.execute(DirectoryChangesDocument, { directory: 'corp', first: 5 });
    expect(body.data?.directory?.changes).toBeNull();
    expect(body.errors?.[0]?.extensions).toMatchObject({
      code: 'DIRECTORY_FORBIDDEN',
      directory: 'corp',
      upstreamStatus: 403,
    });
    expect(stack.registry.get('corp')?.health?.().state).not.toBe('DOWN');
  });

  it('pages through many events with the same timestamp without losing or repeating one', async () => {
    const sim = stack.sims.zitadel.access;
    const since = new Date(afterZitadelEvents()).toISOString();
    const at = afterZitadelEvents() + 1;
    // One push: 25 events sharing a millisecond.
    for (const id of stack.ids.zitadel.slice(0, 25)) sim.changeProfile(id, at);
    const seen: string[] = [];
    let after: string | null | undefined;
    for (let polls = 0; polls < 20; polls += 1) {
      const { body } = await stack.execute(DirectoryChangesDocument, {
        directory: 'corp',
        since,
        first: 4,
        after,
      });
      expect(body.errors).toBeUndefined();
      seen.push(...(body.data?.directory?.changes?.nodes ?? []).map((n) => n.id));
      after = body.data?.directory?.changes?.pageInfo.endCursor;
      if (!body.data?.directory?.changes?.pageInfo.hasNextPage) break;
    }
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
  });
});

describe('MonoCloud', () => {
  it('reads its log from `since`, pages by cursor, and says CHANGES_EXPIRED once when the log no longer holds the cursor', async () => {
    const access = stack.sims.monocloud.access;
    const [u1, u2] = stack.sims.monocloud.users.map((u) => u.user_id);
    const group =
      access.groups.find((g) => !access.groupIdsOf(u1 ?? '').includes(g.group_id))?.group_id ?? '';
    const now = Math.floor(Date.now() / 1000);
    access.addToGroup(u1 ?? '', group, now);
    access.removeFromGroup(u1 ?? '', group, now);
    access.signIn(u2 ?? '', now);
    access.block(u2 ?? '', now);
    // A profile edit too: the edits stream must keep its place when the log loses its own.
    const edited = stack.sims.monocloud.users[5];
    stack.sims.monocloud.update(edited?.user_id ?? '', { last_updated: now });
    stack.sims.resetAll();

    const since = new Date(now * 1000).toISOString();
    const first = await stack.execute(DirectoryChangesDocument, { directory: 'acme', since, first: 2 });
    expect(first.body.errors).toBeUndefined();
    const page1 = first.body.data?.directory?.changes;
    const after = page1?.pageInfo.endCursor;
    const second = await stack.execute(DirectoryChangesDocument, { directory: 'acme', first: 10, after });
    const kinds = [...(page1?.nodes ?? []), ...(second.body.data?.directory?.changes?.nodes ?? [])].map(
      (n) => n.kind,
    );
    expect(kinds.filter((kind) => kind !== 'USER_UPDATED').slice(-4)).toEqual([
      'MEMBERSHIP_ADDED',
      'MEMBERSHIP_REMOVED',
      'SIGN_IN',
      'USER_STATE_CHANGED',
    ]);
    expect(kinds.filter((kind) => kind === 'USER_UPDATED')).toHaveLength(1);
    expect(second.body.data?.directory?.changes?.pageInfo.hasNextPage).toBe(false);
    // The binary search over ~pages of 100 costs a few requests, not a scan of the whole log.
    const pages = Math.ceil(access.logs.length / 100);
    expect(stack.sims.monocloud.count('listLogs')).toBeLessThanOrEqual(Math.ceil(Math.log2(pages)) + 6);

    // A fresh scan from before the oldest entry kept is flagged, never silently short.
    const oldest = new Date((access.logs[0]?.time_stamp ?? 0) * 1000).toISOString();
    const whole = await stack.execute(DirectoryChangesDocument, {
      directory: 'acme',
      since: oldest,
      first: 1,
    });
    expect(whole.body.data?.directory?.changes?.historyTruncated).toBe(false);

    // Retention drops the head of the log past the cursor's entry: the feed says so.
    access.expireLogsBefore(now + 1);
    access.signIn(u1 ?? '', now + 1);
    // From where the second page ended: every change so far, the edit included, handed out.
    const expired = await stack.execute(DirectoryChangesDocument, {
      directory: 'acme',
      first: 10,
      after: second.body.data?.directory?.changes?.pageInfo.endCursor,
    });
    expect(expired.body.data?.directory?.changes?.nodes).toEqual([]);
    expect(expired.body.errors?.[0]?.extensions).toMatchObject({
      code: 'CHANGES_EXPIRED',
      directory: 'acme',
    });
    // Reported once: the cursor goes on from the present, so the next change comes and nothing older.
    access.block(u1 ?? '', now + 1);
    const resumed = await stack.execute(DirectoryChangesDocument, {
      directory: 'acme',
      first: 10,
      after: expired.body.data?.directory?.changes?.pageInfo.endCursor,
    });
    expect(resumed.body.errors).toBeUndefined();
    expect(resumed.body.data?.directory?.changes?.nodes.map((n) => n.kind)).toEqual(['USER_STATE_CHANGED']);

    // Now the log begins after `since`: the page says its history does not reach back.
    const truncated = await stack.execute(DirectoryChangesDocument, {
      directory: 'acme',
      since: new Date((now - 3600) * 1000).toISOString(),
      first: 10,
    });
    expect(truncated.body.data?.directory?.changes?.historyTruncated).toBe(true);
    const warnings = truncated.body.extensions?.warnings as { code: string }[] | undefined;
    expect(warnings?.[0]).toMatchObject({ code: 'CHANGE_HISTORY_TRUNCATED' });
  });
});

describe('MonoCloud profile edits', () => {
  it('come from users sorted by last_updated: each edit seen once, creations left to the log', async () => {
    const sim = stack.sims.monocloud;
    const now = Math.floor(Date.now() / 1000);
    const start = await stack.execute(DirectoryChangesDocument, {
      directory: 'acme',
      since: new Date(now * 1000).toISOString(),
      first: 100,
    });
    let after = start.body.data?.directory?.changes?.pageInfo.endCursor;
    const poll = async () => {
      const { body } = await stack.execute(DirectoryChangesDocument, {
        directory: 'acme',
        first: 100,
        after,
      });
      expect(body.errors).toBeUndefined();
      after = body.data?.directory?.changes?.pageInfo.endCursor;
      return (body.data?.directory?.changes?.nodes ?? []).filter((n) => n.kind === 'USER_UPDATED');
    };
    const [a, b] = sim.users.slice(3, 5);
    sim.update(a?.user_id ?? '', { last_updated: now + 1, claims: { ...a?.claims, name: 'Edited Once' } });
    sim.update(b?.user_id ?? '', { last_updated: now + 1, claims: { ...b?.claims, name: 'Edited Too' } });
    const first = await poll();
    expect(first.map((n) => n.userId).sort()).toEqual(
      [encodeUserId('acme', a?.user_id ?? ''), encodeUserId('acme', b?.user_id ?? '')].sort(),
    );
    expect(first[0]?.rawType).toBe('last_updated');
    expect(await poll()).toEqual([]);
    // Edited again in a later second: reported again, once.
    sim.update(a?.user_id ?? '', { last_updated: now + 2 });
    expect((await poll()).map((n) => n.userId)).toEqual([encodeUserId('acme', a?.user_id ?? '')]);
    expect(await poll()).toEqual([]);
  });
});

describe('App Services', () => {
  it('reports new users (its only kind of change) after `since`', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const created = stack.sims.appServices.addUser('Ada Lovelace');
    const { body } = await stack.execute(DirectoryChangesDocument, { directory: 'mobile', since, first: 10 });
    expect(body.errors).toBeUndefined();
    expect(body.data?.directory?.changes?.nodes.map((n) => [n.kind, n.userId])).toEqual([
      ['USER_CREATED', encodeUserId('mobile', created._id)],
    ]);
  });
});

describe('the merged feed', () => {
  it('merges every directory oldest first under one cursor, keeps a failing directory’s place and reports it', async () => {
    const start = await stack.execute(ChangesDocument, {
      since: new Date(afterZitadelEvents()).toISOString(),
      first: 10,
    });
    expect(start.body.errors).toBeUndefined();
    let after = start.body.data?.changes?.pageInfo.endCursor;

    const now = afterZitadelEvents() + 1;
    stack.sims.zitadel.access.signIn(stack.ids.zitadel[0] ?? '', now);
    stack.sims.monocloud.access.signIn(stack.sims.monocloud.users[0]?.user_id ?? '', Math.floor(now / 1000));
    stack.sims.appServices.addUser('Grace Hopper');
    stack.sims.zitadel.inject({ route: 'listEvents', fault: { type: 'status', status: 503 }, times: 10 });

    const partial = await stack.execute(ChangesDocument, { first: 10, after });
    const directories = partial.body.data?.changes?.nodes.map((n) => n.directoryName).sort();
    expect(directories).toEqual(['acme', 'mobile']);
    expect(partial.body.errors?.[0]?.extensions).toMatchObject({
      code: 'DIRECTORY_UNAVAILABLE',
      directory: 'corp',
    });
    expect(partial.body.data?.changes?.pageInfo.hasNextPage).toBe(true);
    after = partial.body.data?.changes?.pageInfo.endCursor;

    stack.sims.resetAll();
    const recovered = await stack.execute(ChangesDocument, { first: 10, after });
    expect(recovered.body.errors).toBeUndefined();
    expect(recovered.body.data?.changes?.nodes.map((n) => [n.directoryName, n.kind])).toEqual([
      ['corp', 'SIGN_IN'],
    ]);
    const empty = await stack.execute(ChangesDocument, {
      first: 10,
      after: recovered.body.data?.changes?.pageInfo.endCursor,
    });
    expect(empty.body.data?.changes?.nodes).toEqual([]);
    expect(empty.body.data?.changes?.pageInfo.endCursor).toEqual(expect.any(String));
  });

  it('refuses forged cursors, cursors of another directory set, and `first` out of range', async () => {
    const one = await stack.execute(ChangesDocument, { first: 1, directories: ['corp'] });
    const cursor = one.body.data?.changes?.pageInfo.endCursor ?? '';
    const other = await stack.execute(ChangesDocument, { first: 1, after: cursor, directories: ['acme'] });
    expect(other.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
    const [payload] = cursor.split('.');
    const forged = `${Buffer.from(JSON.stringify({ v: 1, k: 'x', s: null, p: {} })).toString('base64url')}.${cursor.split('.')[1]}`;
    for (const after of [forged, `${payload}.AAAA`, 'garbage', 'x'.repeat(20_000)]) {
      const { body } = await stack.execute(ChangesDocument, { first: 1, after });
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
    }
    const big = await stack.execute(ChangesDocument, { first: 501 });
    expect(big.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'first' });
    expect(decodeChangeId(one.body.data?.changes?.nodes[0]?.id ?? '')).toMatch(/^c1:corp:/);
  });
});
