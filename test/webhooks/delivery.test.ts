import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/auth/api-keys.js';
import { encodeChangeId } from '../../src/directory/global-id.js';
import { FeedPoller } from '../../src/feed/poller.js';
import { RedisChangeStream } from '../../src/feed/redis-change-stream.js';
import type { SharedState } from '../../src/shared/shared-state.js';
import { WebhookReceiver } from '../../src/simulators/webhook-receiver.js';
import { RedisWebhookStore } from '../../src/webhooks/redis-webhook-store.js';
import { WebhookSender } from '../../src/webhooks/sender.js';
import { WebhookDispatcher } from '../../src/webhooks/webhook-dispatcher.js';
import { apiKeySecurity } from '../support/keys.js';
import { RedisServer } from '../support/redis.js';
import { startPollers, until } from '../support/sse.js';
import { Stack } from '../support/stack.js';

// Webhooks on a real Redis with two replicas and real receivers on 127.0.0.1: one receiver fails half
// of its attempts, one is down for 60 s, and the replica delivering to them is killed mid-run. Every
// change still arrives at both (at least once), in each directory's order, each signature verifying
// with the reference `standardwebhooks` library.

const key = generateApiKey();
const policy = { allowHttp: true, allowPrivateNetworks: true };
const settings = {
  retryInitialMs: 200,
  retryMaxMs: 3_000,
  retryForMs: 600_000,
  concurrency: 4,
  maxBacklog: 10_000,
  breakerFailures: 5,
  breakerOpenMs: 1_000,
  leaseMs: 3_000,
  scanMs: 500,
};

interface Replica {
  stack: Stack;
  stream: RedisChangeStream;
  poller: FeedPoller;
  dispatcher: WebhookDispatcher;
  sender: WebhookSender;
}

let redis: RedisServer;
let links: SharedState[];
let replicas: Replica[];

beforeAll(async () => {
  redis = await RedisServer.start();
  links = await redis.links(2, 'wh-test:', 500);
  const security = () =>
    apiKeySecurity({ name: 'hooks', key, scopes: ['users:read', 'changes:read', 'webhooks:manage'] });
  replicas = [];
  for (const [index, shared] of links.entries()) {
    const stream = new RedisChangeStream(shared, { maxLength: 10_000, maxAgeMs: 3_600_000 });
    const store = new RedisWebhookStore(shared);
    const first = replicas[0]?.stack;
    const stack = await Stack.start({
      perDirectory: index === 0 ? 10 : 1,
      ...(first === undefined ? {} : { configure: () => [...first.configs] }),
      shared,
      security: security(),
      feed: {
        stream,
        limits: { subscriptionsPerPrincipal: 10, eventsPerSecond: 1_000 },
        webhooks: { store, policy, maxEndpoints: 10, overlapMs: 60_000 },
      },
    });
    const sender = new WebhookSender(policy, 2_000);
    replicas.push({
      stack,
      stream,
      sender,
      poller: new FeedPoller(stack.registry, stream, {
        minIntervalMs: 200,
        maxIntervalMs: 400,
        leaseMs: 1_500,
      }),
      dispatcher: new WebhookDispatcher(store, stream, sender, settings),
    });
  }
  const sims = replicas[0]?.stack.sims;
  if (sims !== undefined) sims.zitadel.access.eventsAllowed = true;
  await startPollers(replicas.map((replica) => replica.poller));
}, 60_000);

afterAll(async () => {
  for (const replica of [...(replicas ?? [])].reverse()) {
    await replica.dispatcher.stop();
    await replica.poller.stop();
    await replica.sender.close();
    await replica.stack.close();
    replica.stream.close();
  }
  for (const shared of links ?? []) await shared.close();
  await redis?.close();
});

async function graphql(replica: Replica, query: string, variables: Record<string, unknown> = {}) {
  const response = await replica.stack.app.fetch('http://usergraph.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key.key },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as {
    data?: Record<string, { webhook: { id: string }; secret: string; userErrors: unknown[] }>;
    errors?: unknown[];
  };
}

const CREATE = `mutation ($url: String!) {
  createWebhook(input: { url: $url, directories: ["acme", "corp"] }) {
    webhook { id directories } secret userErrors { code message }
  }
}`;

describe('webhooks across replicas (Redis)', () => {
  it('a receiver failing half its attempts and one down for 60 s get every change, in order, with a replica killed', async () => {
    const [one, two] = replicas as [Replica, Replica];
    const flaky = await WebhookReceiver.start({ seed: 7, failRate: 0.5 });
    const down = await WebhookReceiver.start({ seed: 8 });
    const hooks: { id: string; receiver: WebhookReceiver }[] = [];
    for (const receiver of [flaky, down]) {
      const created = (await graphql(two, CREATE, { url: receiver.url })).data?.createWebhook as {
        webhook: { id: string };
        secret: string;
        userErrors: unknown[];
      };
      expect(created?.userErrors).toEqual([]);
      expect(created?.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      receiver.secret = created.secret;
      hooks.push({ id: created.webhook.id, receiver });
    }
    // Where each directory's stream stood when they were made: they receive what comes after.
    const start = {
      acme: (await one.stream.read('acme', 0, 0)).last,
      corp: (await one.stream.read('corp', 0, 0)).last,
    };
    const downAt = Date.now();
    await down.downFor(60_000);
    for (const replica of replicas) replica.dispatcher.start();
    let killed: Replica | undefined;
    const sims = one.stack.sims;
    const ids = one.stack.ids;
    // 40 changes over ~8 s, in both directories.
    for (let n = 0; n < 20; n += 1) {
      sims.monocloud.access.signIn(ids.monocloud[n % 10] ?? '', Math.ceil(Date.now() / 1000) + 1);
      sims.zitadel.access.signIn(ids.zitadel[n % 10] ?? '', Date.now() + 1_000);
      await new Promise((resolve) => setTimeout(resolve, 400));
      if (n === 10) {
        // Kill the replica delivering to the flaky receiver: its leases lapse, nothing is handed over.
        killed = replicas.find((replica) => replica.dispatcher.holds(hooks[0]?.id ?? ''));
        expect(killed).toBeDefined();
        await killed?.dispatcher.stop({ handOver: false });
        await killed?.poller.stop({ handOver: false });
      }
    }
    const survivor = (killed === one ? two : one) as Replica;
    const expected = async () => {
      const out = new Map<string, string[]>();
      for (const directory of ['acme', 'corp'] as const) {
        const read = await survivor.stream.read(directory, start[directory], 1_000);
        out.set(
          directory,
          read.entries.map((entry) => encodeChangeId(entry.change.directory, entry.change.id)),
        );
      }
      return out;
    };
    // Every change the streams hold after the start has arrived at both.
    let want = await expected();
    await until(
      () => (want.get('acme')?.length ?? 0) >= 20 && (want.get('corp')?.length ?? 0) >= 20,
      20_000,
    ).catch(() => undefined);
    const deadline = Date.now() + 150_000;
    for (;;) {
      want = await expected();
      const done = hooks.every(({ receiver }) => {
        const got = new Set(
          [...receiver.accepted.values()].map((attempt) => JSON.parse(attempt.body).data.id),
        );
        return [...want.values()].flat().every((id) => got.has(id));
      });
      if (done) break;
      if (Date.now() > deadline) throw new Error('not every change arrived within 150 s');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(want.get('acme')?.length).toBeGreaterThanOrEqual(20);
    expect(want.get('corp')?.length).toBeGreaterThanOrEqual(20);
    for (const { receiver } of hooks) {
      // Each signature verifies with the reference library.
      expect(receiver.attempts.every((attempt) => attempt.verified)).toBe(true);
      // In each directory's order: the first acceptance of each change follows the stream's order.
      for (const [directory, order] of want) {
        const firsts = [...receiver.accepted.values()]
          .map((attempt) => JSON.parse(attempt.body).data)
          .filter((data) => data.directory === directory)
          .map((data) => data.id);
        expect(firsts).toEqual(order);
      }
    }
    // The flaky one saw failures and retries; the down one's first acceptance came after its 60 s.
    expect(flaky.attempts.filter((attempt) => attempt.status === 500).length).toBeGreaterThan(5);
    const firstDown = Math.min(...[...down.accepted.values()].map((attempt) => attempt.at));
    expect(firstDown - downAt).toBeGreaterThanOrEqual(60_000);
    // The survivor carries both endpoints now.
    expect(hooks.every(({ id }) => survivor.dispatcher.holds(id))).toBe(true);
    const listed = (await graphql(survivor, '{ webhooks { id backlog deadLetterCount } }')).data?.webhooks;
    expect(listed).toEqual(hooks.map(({ id }) => ({ id, backlog: 0, deadLetterCount: 0 })));
    await flaky.close();
    await down.close();
  }, 240_000);
});

// Last: it stops Redis.
describe('Redis unreachable', () => {
  it('the webhooks API says so with WEBHOOK_STORE_UNAVAILABLE: no empty list, no half-made webhook', async () => {
    const [one] = replicas as [Replica];
    await redis.stop();
    try {
      for (let n = 0; n < 50 && (links[0] as SharedState).ready; n += 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const listed = (await graphql(one, '{ webhooks { id } }')) as {
        data?: unknown;
        errors?: { extensions?: { code?: string } }[];
      };
      expect(listed.errors?.[0]?.extensions?.code).toBe('WEBHOOK_STORE_UNAVAILABLE');
      const made = (await graphql(one, CREATE, { url: 'http://127.0.0.1:9/x' })).data?.createWebhook;
      expect(made?.userErrors).toEqual([expect.objectContaining({ code: 'WEBHOOK_STORE_UNAVAILABLE' })]);
      expect(made?.secret).toBeNull();
    } finally {
      await redis.start();
    }
  });
});
