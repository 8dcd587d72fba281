import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateApiKey } from '../../src/auth/api-keys.js';
import { Authenticator } from '../../src/auth/authenticator.js';
import { authSettings } from '../../src/auth/settings.js';
import { serverSettings } from '../../src/config/config.js';
import { FeedPoller } from '../../src/feed/poller.js';
import { RedisChangeStream } from '../../src/feed/redis-change-stream.js';
import { createHttpServer } from '../../src/server/http-server.js';
import type { SharedState } from '../../src/shared/shared-state.js';
import { RedisServer } from '../support/redis.js';
import { type Subscriber, subscribeOverSse, until } from '../support/sse.js';
import { Stack } from '../support/stack.js';

// Exactly once per subscription across failover, on a real Redis: random interleavings of upstream
// changes, a subscriber that drops and reconnects with `Last-Event-ID`, and the poller's holder killed
// (its lease left to lapse) or drained (handed over), with two replicas' pollers contending for the
// lease. Every change the directory logged reaches the subscriber once, in the directory's order.

const RUNS = Math.max(4, Math.min(Number(process.env.FUZZ_RUNS ?? 4), 100));
const LEASE_MS = 600;
const key = generateApiKey();
let redis: RedisServer;
let links: SharedState[];
let streams: RedisChangeStream[];
let stack: Stack;
let server: Server;
let url: string;

beforeAll(async () => {
  redis = await RedisServer.start();
  links = await redis.links(2, 'failover:', 500);
  streams = links.map((shared) => new RedisChangeStream(shared, { maxLength: 10_000, maxAgeMs: 3_600_000 }));
  stack = await Stack.start({
    perDirectory: 10,
    security: {
      authenticator: new Authenticator(
        authSettings.parse({ apiKeys: [{ name: 'sync', sha256: key.sha256, scopes: ['changes:read'] }] }),
      ),
    },
    feed: {
      stream: streams[0] as RedisChangeStream,
      limits: { subscriptionsPerPrincipal: 10, eventsPerSecond: 10_000 },
    },
  });
  server = createHttpServer(stack.app.http.listener, serverSettings.parse({}));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}, 30_000);
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await stack?.close();
  for (const stream of streams ?? []) stream.close();
  for (const shared of links ?? []) await shared.close();
  await redis?.close();
});

type Step =
  | { readonly kind: 'changes'; readonly count: number }
  | { readonly kind: 'reconnect' }
  | { readonly kind: 'kill' }
  | { readonly kind: 'drain' }
  | { readonly kind: 'pause'; readonly ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('changes' as const), count: fc.integer({ min: 1, max: 4 }) }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'reconnect' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'kill' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'drain' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('pause' as const), ms: fc.integer({ min: 0, max: 800 }) }),
  },
);

it('delivers every change once, in order, through reconnects and a killed or drained poller', async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 3, maxLength: 8 }), async (steps) => {
      run += 1;
      const directory = 'acme';
      // Each run its own directory stream: a fresh key prefix per run is not needed, the run starts
      // from the stream's present (a subscription without a cursor starts at "now").
      const pollers = streams.map(
        (stream) =>
          new FeedPoller(stack.registry, stream, {
            minIntervalMs: 100,
            maxIntervalMs: 200,
            leaseMs: LEASE_MS,
          }),
      );
      for (const poller of pollers) poller.start();
      await until(() => pollers.some((poller) => (poller.reads.get(directory) ?? 0) > 0), 10_000);
      const startedAt = (await streams[0]?.read(directory, 0, 0))?.last ?? 0;
      const got: string[] = [];
      let lastId: string | null = null;
      let subscriber: Subscriber | null = null;
      const connect = async () => {
        subscriber = subscribeOverSse(
          url,
          { directories: [directory] },
          { 'x-api-key': key.key, ...(lastId === null ? {} : { 'last-event-id': lastId }) },
        );
        // Connected once the first keep-alive comment has come (the subscription reads its start then).
        await (subscriber as Subscriber).ready;
        await new Promise((resolve) => setTimeout(resolve, 50));
      };
      const drop = async () => {
        const current = subscriber as Subscriber | null;
        if (current === null) return;
        await current.close();
        got.push(...current.events.map((event) => event.change.id));
        lastId = current.ids.at(-1) ?? lastId;
        subscriber = null;
      };
      await connect();
      // A first change, received, gives the subscriber its first cursor: a subscriber without one
      // starts "from now" at every reconnect, by definition.
      let at = Math.ceil(Date.now() / 1000) + 1;
      stack.sims.monocloud.access.signIn(stack.ids.monocloud[9] ?? '', at);
      at += 1;
      let made = 1;
      await until(() => ((subscriber as Subscriber | null)?.events.length ?? 0) >= 1, 10_000);
      for (const next of steps) {
        if (next.kind === 'changes') {
          for (let i = 0; i < next.count; i += 1) {
            stack.sims.monocloud.access.signIn(stack.ids.monocloud[(made + i) % 10] ?? '', at);
            at += 1;
          }
          made += next.count;
        } else if (next.kind === 'reconnect') {
          await drop();
          await connect();
        } else if (next.kind === 'pause') {
          await new Promise((resolve) => setTimeout(resolve, next.ms));
        } else {
          // The current holder dies (lease left to lapse) or drains (lease handed back); it restarts.
          const index = pollers.findIndex((poller) => poller.holdsLease(directory));
          if (index >= 0) {
            await pollers[index]?.stop({ handOver: next.kind === 'drain' });
            pollers[index] = new FeedPoller(stack.registry, streams[index] as RedisChangeStream, {
              minIntervalMs: 100,
              maxIntervalMs: 200,
              leaseMs: LEASE_MS,
            });
            pollers[index]?.start();
          }
        }
      }
      // Everything made reaches the stream, and then the subscriber.
      const target = startedAt + made;
      for (
        let tries = 0;
        tries < 400 && ((await streams[1]?.read(directory, 0, 0))?.last ?? 0) < target;
        tries += 1
      ) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      await until(() => got.length + ((subscriber as Subscriber | null)?.events.length ?? 0) >= made, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await drop();
      for (const poller of pollers) await poller.stop();
      const appended = (await streams[1]?.read(directory, startedAt, 10_000))?.entries.map(
        (entry) => entry.change.id,
      );
      // The stream holds each logged change once (no poller appended twice across a handover)…
      expect(appended).toHaveLength(made);
      expect(new Set(appended).size).toBe(made);
      // …and the subscriber got exactly those, in that order, across its reconnects.
      // (A change's public id is the global id of the directory's own.)
      const local = got.map((id) => Buffer.from(id, 'base64url').toString('utf8').split(':').at(-1));
      expect({ run, got: local }).toEqual({ run, got: appended });
    }),
    { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 29), endOnFailure: true },
  );
}, 240_000);
