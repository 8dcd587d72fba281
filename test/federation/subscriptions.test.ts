import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { composeServices } from '@apollo/composition';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/auth/api-keys.js';
import { MemoryChangeStream } from '../../src/feed/memory-change-stream.js';
import { FeedPoller } from '../../src/feed/poller.js';
import { printSubgraphSdl } from '../../src/server/sdl.js';
import { apiKeySecurity } from '../support/keys.js';
import { subscribeOverSse, until } from '../support/sse.js';
import { Stack } from '../support/stack.js';

// `subscription { changes }` through Hive Gateway (2.15, the default runtime): the gateway forwards the
// subscription to usergraph over SSE (its HTTP executor asks for `text/event-stream`) with the client's
// credential propagated, and usergraph's gate, scopes and grants apply to it as to a direct subscriber.

const key = generateApiKey();
const servers: Server[] = [];
let stack: Stack;
let poller: FeedPoller;
let gatewayUrl: string;
let dispose: () => Promise<void>;

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

beforeAll(async () => {
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  process.env.LOG_LEVEL = 'error';
  const stream = new MemoryChangeStream({ maxLength: 1_000, maxAgeMs: 3_600_000 });
  stack = await Stack.start({
    perDirectory: 5,
    federation: true,
    subgraphAuthDirectives: false,
    security: apiKeySecurity({ name: 'gateway-client', key, scopes: ['users:read', 'changes:read'] }),
    feed: { stream, limits: { subscriptionsPerPrincipal: 5, eventsPerSecond: 1_000 } },
  });
  poller = new FeedPoller(stack.registry, stream, { minIntervalMs: 200, maxIntervalMs: 400, leaseMs: 3_000 });
  poller.start();
  await until(() => (poller.reads.get('acme') ?? 0) > 0);
  const usergraphUrl = await listen(createServer(stack.app.http.listener));
  const composed = composeServices([
    { name: 'usergraph', typeDefs: parse(printSubgraphSdl(false, false)), url: usergraphUrl },
  ]);
  if (composed.errors) throw new Error(composed.errors.map((error) => error.message).join('\n'));
  const gateway = createGatewayRuntime({
    supergraph: composed.supergraphSdl,
    logging: false,
    maskedErrors: false,
    // The client's credential travels on to usergraph, which checks it as for any caller.
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }) => ({
        'x-api-key': request.headers.get('x-api-key') ?? undefined,
      }),
    },
  });
  gatewayUrl = await listen(createServer(gateway));
  dispose = async () => {
    await gateway.dispose();
  };
}, 60_000);

afterAll(async () => {
  await dispose?.();
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  await poller?.stop();
  await stack?.close();
});

describe('subscriptions through Hive Gateway', () => {
  it('delivers the changes a direct subscriber gets, with the client’s credential checked by usergraph', async () => {
    const watcher = subscribeOverSse(gatewayUrl, { directories: ['acme'] }, { 'x-api-key': key.key });
    await watcher.ready;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const ids = stack.ids.monocloud;
    for (const id of ids.slice(0, 3))
      stack.sims.monocloud.access.signIn(id, Math.ceil(Date.now() / 1000) + 1);
    await until(() => watcher.events.length >= 3, 15_000);
    expect(watcher.errors).toEqual([]);
    expect(watcher.events.map((event) => [event.change.kind, event.change.directoryName])).toEqual(
      Array(3).fill(['SIGN_IN', 'acme']),
    );
    // Each event's cursor is usergraph's: it resumes a direct subscription right after it.
    expect(watcher.events.every((event) => event.cursor.length > 0)).toBe(true);
    await watcher.close();
  }, 30_000);

  it('a wrong credential ends it with usergraph’s UNAUTHENTICATED; none, with its GET rule (BAD_REQUEST)', async () => {
    // The gateway forwards a subscription as a GET with `Accept: text/event-stream`.
    const wrong = subscribeOverSse(
      gatewayUrl,
      { directories: ['acme'] },
      { 'x-api-key': generateApiKey().key },
    );
    await until(() => wrong.ended || wrong.errors.length > 0, 10_000);
    expect(wrong.errors[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    await wrong.close();
    const none = subscribeOverSse(gatewayUrl, { directories: ['acme'] }, {});
    await until(() => none.ended || none.errors.length > 0, 10_000);
    expect(none.errors[0]).toMatchObject({ extensions: { code: 'BAD_REQUEST', serviceName: 'usergraph' } });
    expect(none.errors[0]?.message).toContain('needs a credential');
    await none.close();
  });
});
