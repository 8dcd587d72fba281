import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/auth/api-keys.js';
import { serverSettings } from '../../src/config/config.js';
import type { Change, ChangePosition } from '../../src/directory/change-model.js';
import type { DirectoryRegistry } from '../../src/directory/registry.js';
import { CacheFollower } from '../../src/feed/cache-follower.js';
import { FeedPoller } from '../../src/feed/poller.js';
import { RedisChangeStream } from '../../src/feed/redis-change-stream.js';
import { createHttpServer } from '../../src/server/http-server.js';
import type { SharedState } from '../../src/shared/shared-state.js';
import { apiKeySecurity } from '../support/keys.js';
import { RedisServer } from '../support/redis.js';
import { type Subscriber, startPollers, subscribeOverSse, until } from '../support/sse.js';
import { Stack } from '../support/stack.js';

// The feed of a cluster, on a real Redis: two replicas elect one poller per directory (a lease with a
// fencing token), append to one Redis Stream per directory, and serve subscribers from it on either
// replica. Upstream change reads do not grow with subscribers; a holder that dies is taken over when its
// lease lapses (at once when it drains), with every change delivered once, in order; a lapsed holder can
// never append; the stream keeps what it is told to keep and says when a cursor is older.

const key = generateApiKey();
const LEASE_MS = 1_500;
let redis: RedisServer;
let links: SharedState[];
let simulators: Stack;
let replicas: { stack: Stack; stream: RedisChangeStream; poller: FeedPoller; server: Server; url: string }[];
const pollerFor = (stack: Stack, stream: RedisChangeStream) =>
  new FeedPoller(stack.registry, stream, { minIntervalMs: 200, maxIntervalMs: 400, leaseMs: LEASE_MS });

beforeAll(async () => {
  redis = await RedisServer.start();
  links = await redis.links(2, 'feed-test:', 500);
  const security = () => apiKeySecurity({ name: 'feed', key, scopes: ['users:read', 'changes:read'] });
  const limits = { subscriptionsPerPrincipal: 50, eventsPerSecond: 1_000 };
  const retention = { maxLength: 1_000, maxAgeMs: 3_600_000 };
  const streams = links.map((shared) => new RedisChangeStream(shared, retention));
  // The first replica runs the simulated directories; the second reads the same ones.
  simulators = await Stack.start({
    perDirectory: 20,
    shared: links[0],
    security: security(),
    feed: { stream: streams[0] as RedisChangeStream, limits },
  });
  simulators.sims.zitadel.access.eventsAllowed = true;
  const second = await Stack.start({
    perDirectory: 1,
    configure: () => [...simulators.configs],
    shared: links[1],
    security: security(),
    feed: { stream: streams[1] as RedisChangeStream, limits },
  });
  replicas = [];
  for (const [index, stack] of [simulators, second].entries()) {
    const stream = streams[index] as RedisChangeStream;
    const server = createHttpServer(stack.app.http.listener, serverSettings.parse({}));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    replicas.push({
      stack,
      stream,
      poller: pollerFor(stack, stream),
      server,
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    });
  }
  // Both directories with a feed have a holder, and their feeds have started.
  await startPollers(replicas.map((replica) => replica.poller));
}, 60_000);
afterAll(async () => {
  for (const replica of [...(replicas ?? [])].reverse()) {
    await replica.poller.stop();
    await new Promise((resolve) => replica.server.close(resolve));
    await replica.stack.close();
    replica.stream.close();
  }
  for (const shared of links ?? []) await shared.close();
  await redis?.close();
});

const readsOf = (name: string) => replicas.map((replica) => replica.poller.reads.get(name) ?? 0);
const totalReads = () =>
  replicas.reduce((sum, r) => sum + [...r.poller.reads.values()].reduce((a, b) => a + b, 0), 0);
const upstreamCalls = () => simulators.sims.monocloud.count() + simulators.sims.zitadel.count();
const nextSecond = () => Math.ceil(Date.now() / 1000) + 1;
const subscribe = (replica: number, variables: Record<string, unknown> = {}): Subscriber =>
  subscribeOverSse(replicas[replica]?.url ?? '', variables, { 'x-api-key': key.key });

describe('one poller per directory per cluster (Redis)', () => {
  it('only one replica reads each directory’s changes', async () => {
    const before = ['acme', 'corp'].map(readsOf);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    for (const [index, name] of ['acme', 'corp'].entries()) {
      const grown = readsOf(name).map((reads, replica) => reads - (before[index]?.[replica] ?? 0));
      // One replica polled it several times in 1.5 s; the other not once.
      expect(Math.max(...grown)).toBeGreaterThanOrEqual(2);
      expect(Math.min(...grown)).toBe(0);
    }
  });

  it('reads the directories as often for 20 subscribers as for 1, on either replica', async () => {
    const phase = async (count: number, offset: number) => {
      const subscribers = Array.from({ length: count }, (_, i) =>
        subscribe(i % 2, { directories: ['acme'] }),
      );
      await new Promise((resolve) => setTimeout(resolve, 400));
      const calls = upstreamCalls();
      const reads = totalReads();
      const at = nextSecond();
      const users = simulators.ids.monocloud.slice(offset, offset + 3);
      for (const [i, user] of users.entries()) simulators.sims.monocloud.access.signIn(user, at + i);
      await until(() => subscribers.every((subscriber) => subscriber.events.length >= 3));
      // A fixed window, so both phases poll for as long.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      for (const subscriber of subscribers) {
        expect(subscriber.events.map((event) => event.change.kind)).toEqual([
          'SIGN_IN',
          'SIGN_IN',
          'SIGN_IN',
        ]);
        await subscriber.close();
      }
      return { upstream: upstreamCalls() - calls, reads: totalReads() - reads };
    };
    const one = await phase(1, 1);
    const twenty = await phase(20, 4);
    // Every upstream call in either phase was a poller's (a poll is one or two calls), not a subscriber's.
    for (const { upstream, reads } of [one, twenty]) {
      expect(reads).toBeGreaterThan(0);
      expect(upstream).toBeLessThanOrEqual(reads * 2);
    }
    // The pollers' pace is set by time and changes, not by consumers.
    expect(twenty.reads).toBeLessThanOrEqual(one.reads + 4);
  });

  it('a holder that dies is taken over when its lease lapses; every change arrives once, in order', async () => {
    const recent = readsOf('acme');
    await new Promise((resolve) => setTimeout(resolve, 600));
    const holder = readsOf('acme').findIndex((reads, index) => reads > (recent[index] ?? 0));
    const survivor = 1 - holder;
    const watcher = subscribe(survivor, { directories: ['acme'] });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const user = simulators.ids.monocloud[8] ?? '';
    const at = nextSecond();
    simulators.sims.monocloud.access.signIn(user, at);
    await until(() => watcher.events.length >= 1);
    // The holder dies: it neither polls nor gives its lease back.
    await replicas[holder]?.poller.stop({ handOver: false });
    const died = Date.now();
    simulators.sims.monocloud.access.signIn(user, at + 1);
    simulators.sims.monocloud.access.signIn(user, at + 2);
    await until(() => watcher.events.length >= 3, 15_000);
    const tookOver = Date.now() - died;
    expect(tookOver).toBeGreaterThanOrEqual(LEASE_MS - 300);
    await new Promise((resolve) => setTimeout(resolve, 600));
    const ids = watcher.events.map((event) => event.change.id);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
    expect([...ids].sort()).toEqual(ids);
    await watcher.close();
    // The survivor polls every directory now; a restarted replica gets none while it holds them.
    const dead = replicas[holder] as (typeof replicas)[number];
    const alive = replicas[survivor] as (typeof replicas)[number];
    dead.poller = pollerFor(dead.stack, dead.stream);
    dead.poller.start();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(dead.poller.reads.get('acme') ?? 0).toBe(0);
    // A drain gives the lease back: the restarted replica takes over well before a lease would lapse.
    const drainedAt = Date.now();
    await alive.poller.stop();
    await until(() => (dead.poller.reads.get('acme') ?? 0) > 0, 5_000);
    expect(Date.now() - drainedAt).toBeLessThan(LEASE_MS);
    alive.poller = pollerFor(alive.stack, alive.stream);
    alive.poller.start();
  }, 30_000);
});

describe('the Redis stream itself', () => {
  const position = { kind: 'after-id', after: null } satisfies ChangePosition;
  const change = (n: number): Change => ({
    id: `c${n}`,
    directory: 'unit',
    at: n,
    kind: 'SIGN_IN',
    userId: `u${n}`,
    groupId: null,
    rawType: 'sign_in',
    position,
  });

  it('refuses an append under a lease another holder has taken over (fencing)', async () => {
    const stream = replicas[0]?.stream as RedisChangeStream;
    const stale = await stream.lease('unit', 'a', 200, null);
    expect(stale).not.toBeNull();
    expect(await stream.lease('unit', 'b', 200, null)).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const fresh = await stream.lease('unit', 'b', 5_000, null);
    expect(fresh?.token).toBeGreaterThan(stale?.token ?? Number.POSITIVE_INFINITY);
    expect(await stream.append(stale as NonNullable<typeof stale>, [change(1)], position)).toBe(false);
    expect(await stream.append(fresh as NonNullable<typeof fresh>, [change(2)], position)).toBe(true);
    const read = await stream.read('unit', 0, 10);
    expect(read.entries.map((entry) => entry.change.id)).toEqual(['c2']);
    await stream.release(fresh as NonNullable<typeof fresh>);
  });

  it('keeps at most maxLength entries and says when a cursor is older than what it keeps', async () => {
    const stream = new RedisChangeStream(links[0] as SharedState, { maxLength: 5, maxAgeMs: 3_600_000 });
    const lease = await stream.lease('short', 'a', 5_000, null);
    await stream.append(
      lease as NonNullable<typeof lease>,
      Array.from({ length: 8 }, (_, i) => change(i + 1)),
      position,
    );
    const all = await stream.read('short', 0, 100);
    const base = all.last - 8;
    expect(all.expired).toBe(true);
    expect(all.entries.map((entry) => entry.seq - base)).toEqual([4, 5, 6, 7, 8]);
    const kept = await stream.read('short', base + 3, 100);
    expect(kept.expired).toBe(false);
    expect(kept.entries).toHaveLength(5);
    stream.close();
  });

  it('numbers a stream started afresh (its Redis data lost) above the lost one: an old place reads as expired', async () => {
    const stream = new RedisChangeStream(links[0] as SharedState, { maxLength: 100, maxAgeMs: 3_600_000 });
    const lease = await stream.lease('lost', 'a', 5_000, null);
    const held = lease as NonNullable<typeof lease>;
    await stream.append(held, [change(1)], position);
    const old = (await stream.read('lost', 0, 0)).last;
    expect(Number.isSafeInteger(old)).toBe(true);
    // What a Redis restarted without its data holds: none of the stream's keys (the lease is taken again).
    const keys = await (links[0] as SharedState).commands.keys('feed-test:feed:1:lost:*');
    expect(keys.length).toBeGreaterThan(0);
    await (links[0] as SharedState).commands.del(...keys.map((key) => key.slice('feed-test:'.length)));
    expect((await stream.read('lost', old, 10)).expired).toBe(true);
    const again = await stream.lease('lost', 'a', 5_000, null);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await stream.append(again as NonNullable<typeof again>, [change(2), change(3)], position);
    const stale = await stream.read('lost', old, 10);
    expect(stale.expired).toBe(true);
    const fresh = await stream.read('lost', 0, 10);
    expect(fresh.expired).toBe(false);
    expect(fresh.entries.map((entry) => entry.change.id)).toEqual(['c2', 'c3']);
    expect(fresh.entries[0]?.seq).toBeGreaterThan(old);
    stream.close();
  });

  it('drops entries older than maxAge', async () => {
    const stream = new RedisChangeStream(links[0] as SharedState, { maxLength: 1_000, maxAgeMs: 200 });
    const lease = await stream.lease('aged', 'a', 5_000, null);
    const held = lease as NonNullable<typeof lease>;
    await stream.append(held, [change(1), change(2)], position);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await stream.append(held, [change(3)], position);
    const read = await stream.read('aged', 0, 100);
    expect(read.entries.map((entry) => entry.change.id)).toEqual(['c3']);
    expect(read.entries[0]?.seq).toBe(read.last);
    expect(read.expired).toBe(true);
    stream.close();
  });
});

// Last: it restarts Redis (without its data, as a Redis without persistence comes back).
describe('Redis unreachable', () => {
  it('ends a subscription with CHANGE_STREAM_UNAVAILABLE; after a restart an old cursor is CHANGES_EXPIRED and a new subscription is served', async () => {
    // A replica's cache follower reads the same stream: it must ride out the outage (not crash the
    // process with a rejected loop) and follow the new stream after it.
    // (A directory with a cache is all it needs: here one whose cache only counts what it is told.)
    const forgotten: string[] = [];
    const cached = {
      name: 'acme',
      listChanges: () => undefined,
      forget: (ids: readonly string[]) => forgotten.push(...ids),
    };
    const follower = new CacheFollower(
      { providers: [cached] } as unknown as DirectoryRegistry,
      replicas[0]?.stream as RedisChangeStream,
    );
    follower.start();
    const watcher = subscribe(1, { directories: ['acme'] });
    await watcher.ready;
    await new Promise((resolve) => setTimeout(resolve, 300));
    simulators.sims.monocloud.access.signIn(simulators.ids.monocloud[3] ?? '', nextSecond());
    await until(() => watcher.events.length >= 1);
    const cursor = watcher.events[0]?.cursor;
    await redis.stop();
    await until(() => watcher.ended || watcher.errors.length > 0, 10_000);
    expect(watcher.errors[0]?.extensions?.code).toBe('CHANGE_STREAM_UNAVAILABLE');
    await watcher.close();
    await redis.start();
    await until(() => links.every((shared) => shared.ready), 10_000);
    const old = subscribe(1, { directories: ['acme'], after: cursor });
    await until(() => old.ended || old.errors.length > 0, 10_000);
    expect(old.errors[0]?.extensions?.code).toBe('CHANGES_EXPIRED');
    await old.close();
    // The pollers start the lost streams afresh; a subscription from now is served.
    await until(() => replicas.some((replica) => replica.poller.holdsLease('acme')), 10_000);
    const fresh = subscribe(0, { directories: ['acme'] });
    await fresh.ready;
    await new Promise((resolve) => setTimeout(resolve, 600));
    simulators.sims.monocloud.access.signIn(simulators.ids.monocloud[4] ?? '', nextSecond() + 5);
    const dropped = follower.dropped;
    await until(() => fresh.events.length >= 1, 10_000);
    await fresh.close();
    await until(() => follower.dropped > dropped, 10_000);
    await follower.stop();
  }, 40_000);
});
