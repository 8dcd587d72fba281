import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from 'graphql-sse';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/auth/api-keys.js';
import { Authenticator } from '../../src/auth/authenticator.js';
import { authSettings } from '../../src/auth/settings.js';
import { cacheSettings } from '../../src/cache/cache-settings.js';
import { serverSettings } from '../../src/config/config.js';
import { encodeUserId } from '../../src/directory/global-id.js';
import { CacheFollower } from '../../src/feed/cache-follower.js';
import { MemoryChangeStream } from '../../src/feed/memory-change-stream.js';
import { FeedPoller } from '../../src/feed/poller.js';
import { SubscriptionSlots } from '../../src/feed/subscription-slots.js';
import { Metrics } from '../../src/observability/metrics.js';
import { createHttpServer } from '../../src/server/http-server.js';
import { TestIssuer } from '../support/issuer.js';
import { subscribeOverSse, until } from '../support/sse.js';
import { Stack } from '../support/stack.js';

// `subscription { changes }` over Server-Sent Events, for real over HTTP on 127.0.0.1: every change the
// poller appends reaches every subscriber, in each directory's order; subscribers never read a directory
// themselves; a cursor resumes exactly after the last event; a cursor older than the stream keeps, a
// token that expires, and a caller over its subscriptions each end the stream with a code; the user cache
// drops a user the feed names.

const key = generateApiKey();
let issuer: TestIssuer;
let stack: Stack;
let server: Server;
let url: string;
let stream: MemoryChangeStream;
let poller: FeedPoller;
let follower: CacheFollower;
const closing = new AbortController();
const metrics = new Metrics();
const slots = new SubscriptionSlots();
metrics.watchSubscriptions(() => slots.size);

beforeAll(async () => {
  issuer = await TestIssuer.start();
  stream = new MemoryChangeStream({ maxLength: 50, maxAgeMs: 3_600_000 });
  stack = await Stack.start({
    perDirectory: 20,
    // MonoCloud's users are cached for an hour: only the feed can tell the cache they changed.
    configure: (configs) =>
      configs.map((config) =>
        config.provider === 'monocloud'
          ? { ...config, cache: cacheSettings.parse({ ttlSeconds: 3600 }) }
          : config,
      ),
    security: {
      authenticator: new Authenticator(
        authSettings.parse({
          jwt: { issuer: issuer.url, audience: 'usergraph' },
          claims: { scopes: ['scope'] },
          apiKeys: [{ name: 'feed', sha256: key.sha256, scopes: ['users:read', 'changes:read'] }],
        }),
      ),
    },
    feed: {
      stream,
      slots,
      limits: { subscriptionsPerPrincipal: 20, eventsPerSecond: 1_000 },
      closing: closing.signal,
    },
  });
  stack.sims.zitadel.access.eventsAllowed = true;
  poller = new FeedPoller(
    stack.registry,
    stream,
    { minIntervalMs: 200, maxIntervalMs: 400, leaseMs: 5_000 },
    { polled: (directory, outcome, changes) => metrics.feedPoll(directory, outcome, changes) },
  );
  follower = new CacheFollower(stack.registry, stream);
  poller.start();
  follower.start();
  server = createHttpServer(stack.app.http.listener, serverSettings.parse({}));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  // Let the first polls set every feed's start.
  await until(() => [...poller.reads.values()].length >= 2);
});
afterAll(async () => {
  await poller.stop();
  await follower.stop();
  await new Promise((resolve) => server.close(resolve));
  await stack.close();
  await issuer.close();
});
beforeEach(() => stack.sims.resetAll());

/** One subscription over SSE, with the feed key unless other headers are given. */
const subscribe = (
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = { 'x-api-key': key.key },
) => subscribeOverSse(url, variables, headers);

/** The simulators' routes a change poll calls. */
const FEED_ROUTES = new Set(['listLogs', 'listUsers', 'listEvents']);

const nextSecond = () => Math.ceil(Date.now() / 1000) + 1;

/** Where acme's stream stands now (the place of its newest change). */
const acmeLast = async () => (await stream.read('acme', 0, 0)).last;

/** Waits until the poller has appended acme's stream up to `target`. */
async function acmeReaches(target: number): Promise<void> {
  for (let tries = 0; tries < 800 && (await acmeLast()) < target; tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A subscriber to acme that got one sign-in of user `index` and went away: its event, the user, when. */
async function oneEventThenGone(index: number) {
  const first = subscribe({ directories: ['acme'] });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const user = stack.ids.monocloud[index] ?? '';
  const at = nextSecond();
  stack.sims.monocloud.access.signIn(user, at);
  await until(() => first.events.length >= 1);
  await first.close();
  return { first, user, at };
}

describe('subscription { changes } over SSE', () => {
  it('pushes every change to every subscriber, in order, and subscribers read no directory', async () => {
    const callsBefore = stack.sims.monocloud.count() + stack.sims.zitadel.count();
    const readsBefore = [...poller.reads.values()].reduce((a, b) => a + b, 0);
    const subscribers = Array.from({ length: 20 }, () => subscribe());
    await new Promise((resolve) => setTimeout(resolve, 300));
    const users = stack.ids.monocloud.slice(1, 6);
    const at = nextSecond();
    for (const [i, user] of users.entries()) stack.sims.monocloud.access.signIn(user, at + i);

    await until(() => subscribers.every((subscriber) => subscriber.events.length >= 5));
    for (const subscriber of subscribers) {
      const ids = subscriber.events.map((event) => event.change.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(subscriber.events.every((event) => event.change.kind === 'SIGN_IN')).toBe(true);
      await subscriber.close();
    }
    // Every upstream call in the meantime was the poller's own: the subscribers read only the stream.
    const reads = [...poller.reads.values()].reduce((a, b) => a + b, 0) - readsBefore;
    const upstream = stack.sims.monocloud.count() + stack.sims.zitadel.count() - callsBefore;
    // Only the feed's own routes (MonoCloud's poll also scans for updated users), and no more than the
    // polls made (one in flight at either edge of the window counts on one side only).
    const routes = new Set(
      [...stack.sims.monocloud.log, ...stack.sims.zitadel.log].map((entry) => entry.route),
    );
    expect([...routes].every((route) => FEED_ROUTES.has(route))).toBe(true);
    expect(upstream).toBeLessThanOrEqual((reads + 2) * 2);
    expect(reads).toBeGreaterThan(0);
  });

  it('resumes exactly after the last event it got, however many changes came meanwhile', async () => {
    const { first, user, at } = await oneEventThenGone(7);
    const cursor = first.events.at(-1)?.cursor;
    const last = await acmeLast();
    stack.sims.monocloud.access.signIn(user, at + 1);
    stack.sims.monocloud.access.signIn(user, at + 2);
    await acmeReaches(last + 2);
    const resumed = subscribe({ directories: ['acme'], after: cursor });
    await until(() => resumed.events.length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(resumed.events).toHaveLength(2);
    expect(resumed.events.map((event) => event.change.id)).not.toContain(first.events[0]?.change.id);
    await resumed.close();
  });

  it('names each event by its cursor (SSE id), and resumes after the Last-Event-ID a client sends back', async () => {
    const { first, user, at } = await oneEventThenGone(12);
    expect(first.ids).toEqual(first.events.map((event) => event.cursor));
    const last = await acmeLast();
    stack.sims.monocloud.access.signIn(user, at + 1);
    await acmeReaches(last + 1);
    // As a reconnecting event-source client does: the same request, with the last id in a header.
    const resumed = subscribe(
      { directories: ['acme'] },
      { 'x-api-key': key.key, 'last-event-id': first.ids[0] ?? '' },
    );
    await until(() => resumed.events.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(resumed.events).toHaveLength(1);
    expect(resumed.events[0]?.change.id).not.toBe(first.events[0]?.change.id);
    await resumed.close();
    // A Last-Event-ID that is not a cursor of ours is refused with a code, not read as "from now".
    const forged = subscribe(
      { directories: ['acme'] },
      { 'x-api-key': key.key, 'last-event-id': 'forged.id' },
    );
    await until(() => forged.ended || forged.errors.length > 0);
    expect(forged.errors[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    await forged.close();
  });

  it('ends with CHANGES_EXPIRED for a cursor older than the stream keeps', async () => {
    const { first, user, at } = await oneEventThenGone(8);
    const old = first.events[0]?.cursor;
    // More than the stream keeps (50) comes after it.
    const last = await acmeLast();
    for (let i = 0; i < 60; i += 1) stack.sims.monocloud.access.signIn(user, at + 1 + i);
    await acmeReaches(last + 60);
    const late = subscribe({ directories: ['acme'], after: old });
    await until(() => late.ended || late.errors.length > 0);
    expect(late.errors[0]?.extensions?.code).toBe('CHANGES_EXPIRED');
    await late.close();
  });

  it('ends when its token expires, never outliving it', async () => {
    // Valid for two more seconds.
    const exp = Math.floor(Date.now() / 1000) + 2;
    const token = await issuer.sign({ sub: 'watcher', scope: 'changes:read users:read', exp });
    const watcher = subscribe({}, { authorization: `Bearer ${token}` });
    await until(() => watcher.ended || watcher.errors.length > 0, 8_000);
    expect(watcher.errors[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    await watcher.close();
  });

  it('holds at most subscriptionsPerPrincipal open per caller', async () => {
    const open = Array.from({ length: 20 }, () => subscribe());
    await new Promise((resolve) => setTimeout(resolve, 300));
    const extra = subscribe();
    await until(() => extra.ended || extra.errors.length > 0);
    expect(extra.errors[0]?.extensions?.code).toBe('RATE_LIMITED');
    for (const subscriber of open) await subscriber.close();
    await extra.close();
  });

  it('filters by kind', async () => {
    const onlyGroups = subscribe({ directories: ['acme'], kinds: ['MEMBERSHIP_ADDED'] });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const user = stack.ids.monocloud[10] ?? '';
    const at = nextSecond();
    stack.sims.monocloud.access.signIn(user, at);
    const group = stack.sims.monocloud.access.groups[0]?.group_id ?? '';
    stack.sims.monocloud.access.addToGroup(user, group, at + 1);
    await until(() => onlyGroups.events.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(onlyGroups.events.map((event) => event.change.kind)).toEqual(['MEMBERSHIP_ADDED']);
    await onlyGroups.close();
  });
});

describe('graphql-sse’s client (distinct connections mode, as a browser app uses it)', () => {
  it('receives the changes with an API key in its headers, and ends cleanly when disposed', async () => {
    const client = createClient({
      url,
      singleConnection: false,
      headers: { 'x-api-key': key.key },
      retryAttempts: 0,
    });
    const got: { change: { id: string; kind: string } }[] = [];
    let failed: unknown = null;
    const dispose = client.subscribe<{ changes: { change: { id: string; kind: string } } }>(
      { query: 'subscription { changes(directories: ["acme"]) { cursor change { id kind } } }' },
      {
        next: (message) => {
          if (message.data?.changes) got.push(message.data.changes);
        },
        error: (error) => {
          failed = error;
        },
        complete: () => {},
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const at = nextSecond();
    stack.sims.monocloud.access.signIn(stack.ids.monocloud[13] ?? '', at);
    stack.sims.monocloud.access.signIn(stack.ids.monocloud[14] ?? '', at + 1);
    await until(() => got.length >= 2 || failed !== null);
    expect(failed).toBeNull();
    expect(got.map((event) => event.change.kind)).toEqual(['SIGN_IN', 'SIGN_IN']);
    dispose();
    client.dispose();
  });
});

describe('the user cache learns from the feed', () => {
  it('drops a user the feed reports changed: the next read shows the new state, with an hour of TTL', async () => {
    const user = stack.ids.monocloud[11] ?? '';
    const id = encodeUserId('acme', user);
    const read = async () => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key.key },
        body: JSON.stringify({ query: `{ user(id: "${id}") { displayName } }` }),
      });
      return ((await response.json()) as { data: { user: { displayName: string } } }).data.user.displayName;
    };
    const before = await read();
    const renamed = `${before} (renamed)`;
    const current = stack.sims.monocloud.current(user);
    stack.sims.monocloud.update(user, {
      claims: { ...(current?.claims ?? {}), name: renamed },
      last_updated: nextSecond(),
    });
    // Within the hour-long TTL the cache would still answer the old name…
    expect(await read()).toBe(before);
    // …until the feed reports the change and the follower drops the entry.
    const dropped = follower.dropped;
    await until(() => follower.dropped > dropped, 10_000);
    expect(await read()).toBe(renamed);
  });
});

describe('the feed’s metrics', () => {
  it('count polls by outcome and the changes appended, and gauge the open subscriptions', async () => {
    const value = async (name: string, labels: Record<string, string> = {}) =>
      (await metrics.registry.getSingleMetric(name)?.get())?.values.find((entry) =>
        Object.entries(labels).every(([key, label]) => entry.labels[key] === label),
      )?.value ?? 0;
    const before = await value('usergraph_feed_changes_total', { directory: 'acme' });
    const open = [subscribe({ directories: ['acme'] }), subscribe({ directories: ['acme'] })];
    await Promise.all(open.map((subscriber) => subscriber.ready));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await value('usergraph_feed_subscriptions')).toBe(2);
    stack.sims.monocloud.access.signIn(stack.ids.monocloud[15] ?? '', nextSecond());
    await until(() => open.every((subscriber) => subscriber.events.length >= 1));
    expect(await value('usergraph_feed_changes_total', { directory: 'acme' })).toBe(before + 1);
    expect(
      await value('usergraph_feed_polls_total', { directory: 'acme', outcome: 'changes' }),
    ).toBeGreaterThan(0);
    expect(
      await value('usergraph_feed_polls_total', { directory: 'acme', outcome: 'empty' }),
    ).toBeGreaterThan(0);
    for (const subscriber of open) await subscriber.close();
    await until(() => slots.size === 0, 5_000);
    expect(await value('usergraph_feed_subscriptions')).toBe(0);
  });
});

// Last: it ends the feed of this server.
describe('a draining replica', () => {
  it('completes its open subscriptions at once, instead of holding the shutdown’s grace period', async () => {
    const open = subscribe({ directories: ['acme'] });
    await open.ready;
    await new Promise((resolve) => setTimeout(resolve, 200));
    const drainedAt = Date.now();
    closing.abort();
    await until(() => open.ended, 5_000);
    expect(Date.now() - drainedAt).toBeLessThan(1_000);
    expect(open.errors).toEqual([]);
    // A new one completes as soon as it starts.
    const late = subscribe({ directories: ['acme'] });
    await until(() => late.ended, 5_000);
    expect(late.errors).toEqual([]);
  });
});
