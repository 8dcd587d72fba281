import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Client, createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/auth/api-keys.js';
import { Authenticator } from '../../src/auth/authenticator.js';
import { authSettings } from '../../src/auth/settings.js';
import { serverSettings } from '../../src/config/config.js';
import { MemoryChangeStream } from '../../src/feed/memory-change-stream.js';
import { FeedPoller } from '../../src/feed/poller.js';
import { attachGraphqlWs } from '../../src/server/graphql-ws.js';
import { createHttpServer } from '../../src/server/http-server.js';
import { TestIssuer } from '../support/issuer.js';
import { until } from '../support/sse.js';
import { Stack } from '../support/stack.js';

// graphql-ws's own client (with Node's WebSocket) against usergraph over a real socket on 127.0.0.1: the
// credential in `connection_init` is checked at connect and with every operation by the HTTP gate;
// subscriptions push the feed, queries answer once, limits and scopes refuse as over HTTP, a token's
// expiry ends its subscription, and only /graphql upgrades.

const key = generateApiKey();
const narrow = generateApiKey();
let issuer: TestIssuer;
let stack: Stack;
let server: Server;
let url: string;
let poller: FeedPoller;
let closeWs: () => Promise<void>;
const clients: Client[] = [];

beforeAll(async () => {
  issuer = await TestIssuer.start();
  const stream = new MemoryChangeStream({ maxLength: 100, maxAgeMs: 3_600_000 });
  stack = await Stack.start({
    perDirectory: 10,
    security: {
      authenticator: new Authenticator(
        authSettings.parse({
          jwt: { issuer: issuer.url, audience: 'usergraph' },
          claims: { scopes: ['scope'] },
          apiKeys: [
            { name: 'feed', sha256: key.sha256, scopes: ['users:read', 'changes:read'] },
            { name: 'names-only', sha256: narrow.sha256, scopes: ['users:read'] },
          ],
        }),
      ),
    },
    feed: { stream, limits: { subscriptionsPerPrincipal: 5, eventsPerSecond: 1_000 } },
  });
  poller = new FeedPoller(stack.registry, stream, { minIntervalMs: 200, maxIntervalMs: 400, leaseMs: 5_000 });
  poller.start();
  server = createHttpServer(stack.app.http.listener, serverSettings.parse({}));
  closeWs = attachGraphqlWs(server, async (request) => stack.app.fetch(request), {
    maxPayload: 65_536,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  await until(() => (poller.reads.get('acme') ?? 0) > 0);
});
afterAll(async () => {
  for (const client of clients) await client.dispose();
  await closeWs();
  await poller.stop();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await stack.close();
  await issuer.close();
});

function client(connectionParams: Record<string, string>): Client {
  const made = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
  });
  clients.push(made);
  return made;
}

interface Outcome {
  readonly results: { data?: unknown; errors?: { extensions?: { code?: string } }[] }[];
  error: unknown;
  done: boolean;
}

function run(with_: Client, query: string): Outcome & { stop(): void } {
  const outcome: Outcome = { results: [], error: null, done: false };
  const stop = with_.subscribe(
    { query },
    {
      next: (result) => {
        outcome.results.push(result as Outcome['results'][number]);
      },
      error: (error) => {
        outcome.error = error;
        outcome.done = true;
      },
      complete: () => {
        outcome.done = true;
      },
    },
  );
  return Object.assign(outcome, { stop });
}

describe('GraphQL over WebSocket (graphql-ws)', () => {
  it('pushes the changes to a subscription whose API key came in connection_init', async () => {
    const watching = run(
      client({ 'x-api-key': key.key }),
      'subscription { changes(directories: ["acme"]) { cursor change { kind } } }',
    );
    await new Promise((resolve) => setTimeout(resolve, 400));
    const at = Math.ceil(Date.now() / 1000) + 1;
    stack.sims.monocloud.access.signIn(stack.ids.monocloud[1] ?? '', at);
    stack.sims.monocloud.access.signIn(stack.ids.monocloud[2] ?? '', at + 1);
    await until(() => watching.results.length >= 2 || watching.done);
    expect(
      watching.results.map(
        (result) => (result.data as { changes: { change: { kind: string } } }).changes.change.kind,
      ),
    ).toEqual(['SIGN_IN', 'SIGN_IN']);
    watching.stop();
  });

  it('answers a query once, and refuses a field outside the scopes with FORBIDDEN as over HTTP', async () => {
    const asked = run(client({ 'x-api-key': narrow.key }), '{ directories { name } }');
    await until(() => asked.done);
    expect(asked.results).toHaveLength(1);
    expect((asked.results[0]?.data as { directories: unknown[] }).directories).toHaveLength(3);
    const refused = run(client({ 'x-api-key': narrow.key }), 'subscription { changes { cursor } }');
    await until(() => refused.done);
    expect(
      refused.results.flatMap((result) => result.errors ?? []).map((error) => error.extensions?.code),
    ).toContain('FORBIDDEN');
  });

  it('passes the same limits: a query over the depth limit is refused with its code', async () => {
    let deep = 'name';
    for (let i = 0; i < 14; i += 1) deep = `directories { ${deep} }`;
    const refused = run(client({ 'x-api-key': key.key }), `{ ${deep} }`);
    await until(() => refused.done);
    expect(refused.results[0]?.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('closes a socket whose credential does not verify, at connect (4403)', async () => {
    const refused = run(client({ 'x-api-key': 'ug_not-a-key' }), '{ directories { name } }');
    await until(() => refused.done);
    expect((refused.error as CloseEvent).code).toBe(4403);
    const none = run(client({}), '{ directories { name } }');
    await until(() => none.done);
    expect((none.error as CloseEvent).code).toBe(4403);
  });

  it('ends a subscription when its token expires, with UNAUTHENTICATED', async () => {
    // Valid for two more seconds.
    const exp = Math.floor(Date.now() / 1000) + 2;
    const token = await issuer.sign({ sub: 'ws-watcher', scope: 'changes:read users:read', exp });
    const watching = run(client({ authorization: `Bearer ${token}` }), 'subscription { changes { cursor } }');
    await until(() => watching.done, 8_000);
    expect(
      watching.results.flatMap((result) => result.errors ?? []).map((error) => error.extensions?.code),
    ).toContain('UNAUTHENTICATED');
  });

  it('upgrades nothing but /graphql', async () => {
    const other = new WebSocket(url.replace('/graphql', '/graphql/'), 'graphql-transport-ws');
    const closed = await new Promise<string>((resolve) => {
      other.onerror = () => resolve('refused');
      other.onopen = () => resolve('opened');
    });
    expect(closed).toBe('refused');
  });
});
