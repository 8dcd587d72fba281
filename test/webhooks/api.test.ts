import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/auth/api-keys.js';
import { MemoryChangeStream } from '../../src/feed/memory-change-stream.js';
import { FeedPoller } from '../../src/feed/poller.js';
import { WebhookReceiver } from '../../src/simulators/webhook-receiver.js';
import { MemoryWebhookStore } from '../../src/webhooks/memory-webhook-store.js';
import { WebhookSender } from '../../src/webhooks/sender.js';
import { type DispatchSettings, WebhookDispatcher } from '../../src/webhooks/webhook-dispatcher.js';
import type { WebhookAdmin } from '../../src/webhooks/webhook-store.js';
import { apiKeySecurity } from '../support/keys.js';
import { until } from '../support/sse.js';
import { Stack } from '../support/stack.js';

// The webhooks API (`webhooks:manage`) and what a dispatcher does with what it is given, on one
// process (memory store): scopes and grants, the SSRF refusals, the endpoint cap, secrets shown once
// and rotated with overlap, dead letters and their replay, the backlog cap, the breaker.

const manager = generateApiKey();
const acmeOnly = generateApiKey();
const reader = generateApiKey();
const permissive = { allowHttp: true, allowPrivateNetworks: true };
const strict = { allowHttp: false, allowPrivateNetworks: false };
const fast: DispatchSettings = {
  retryInitialMs: 50,
  retryMaxMs: 200,
  retryForMs: 60_000,
  concurrency: 4,
  maxBacklog: 1_000,
  breakerFailures: 1_000,
  breakerOpenMs: 1_000,
  leaseMs: 3_000,
  scanMs: 100,
};

let stack: Stack;
let stream: MemoryChangeStream;
let store: MemoryWebhookStore;
let admin: { -readonly [K in keyof WebhookAdmin]: WebhookAdmin[K] };
let poller: FeedPoller;
const running: { dispatcher: WebhookDispatcher; sender: WebhookSender }[] = [];

beforeAll(async () => {
  stream = new MemoryChangeStream({ maxLength: 10_000, maxAgeMs: 3_600_000 });
  store = new MemoryWebhookStore();
  admin = { store, policy: permissive, maxEndpoints: 3, overlapMs: 60_000 };
  const scopes = ['users:read', 'changes:read', 'webhooks:manage'] as const;
  stack = await Stack.start({
    perDirectory: 5,
    // Managing webhooks counts as writing (limits.perPrincipal.writesPerMinute): this test writes a lot.
    limits: { perPrincipal: { writesPerMinute: 10_000 } },
    security: apiKeySecurity(
      { name: 'manager', key: manager, scopes },
      { name: 'acme-only', key: acmeOnly, scopes, directories: ['acme'] },
      { name: 'reader', key: reader, scopes: ['users:read', 'changes:read'] },
    ),
    feed: { stream, limits: { subscriptionsPerPrincipal: 5, eventsPerSecond: 1_000 }, webhooks: admin },
  });
  poller = new FeedPoller(stack.registry, stream, { minIntervalMs: 200, maxIntervalMs: 400, leaseMs: 3_000 });
  poller.start();
  await until(() => (poller.reads.get('acme') ?? 0) > 0);
});

afterAll(async () => {
  for (const { dispatcher, sender } of running) {
    await dispatcher.stop();
    await sender.close();
  }
  await poller.stop();
  await stack.close();
});

function dispatch(settings: Partial<DispatchSettings> = {}): WebhookDispatcher {
  const sender = new WebhookSender(permissive, 1_000);
  const dispatcher = new WebhookDispatcher(store, stream, sender, { ...fast, ...settings });
  running.push({ dispatcher, sender });
  dispatcher.start();
  return dispatcher;
}

async function graphql(key: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await stack.app.fetch('http://usergraph.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as {
    data: Record<
      'createWebhook' | 'deleteWebhook' | 'rotateWebhookSecret' | 'replayWebhookDeadLetters',
      Answer
    > & {
      webhooks: Answer[];
    };
    errors?: { extensions: { code: string } }[];
  };
}

/** The fields these tests read from any answer (each query selects its own). */
interface Answer {
  id: string;
  url: string;
  webhook: { id: string; url: string; directories: string[]; secretsSigning: number };
  secret: string | null;
  userErrors: { code: string; message: string; field: string[] }[];
  deletedId: string | null;
  replayed: number;
  deadLetterCount: number;
  deadLetters: { messageId: string; attempts: number; lastError: string; body: string }[];
}

const CREATE = `mutation ($input: CreateWebhookInput!) {
  createWebhook(input: $input) { webhook { id url directories kinds secretsSigning } secret userErrors { code message field } }
}`;
const create = (key: string, input: Record<string, unknown>) =>
  graphql(key, CREATE, { input }).then((answer) => {
    if (answer.data?.createWebhook == null) throw new Error(JSON.stringify(answer));
    return answer.data.createWebhook;
  });
const remove = (key: string, id: string) =>
  graphql(
    key,
    'mutation ($id: ID!) { deleteWebhook(input: { id: $id }) { deletedId userErrors { code } } }',
    {
      id,
    },
  ).then((answer) => answer.data.deleteWebhook);
const signIn = () =>
  stack.sims.monocloud.access.signIn(stack.ids.monocloud[0] ?? '', Math.ceil(Date.now() / 1000) + 1);

describe('the webhooks API', () => {
  it('needs webhooks:manage; a creator needs changes:read and gets only directories it may read', async () => {
    const denied = await graphql(reader.key, '{ webhooks { id } }');
    expect(denied.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
    const narrow = await create(acmeOnly.key, { url: 'http://127.0.0.1:9/a', directories: ['acme', 'corp'] });
    expect(narrow.userErrors[0]?.code).toBe('FORBIDDEN');
    const all = await create(manager.key, { url: 'http://127.0.0.1:9/b' });
    expect(all.userErrors).toEqual([]);
    expect(all.webhook.directories).toEqual(['acme', 'corp', 'mobile']);
    expect(all.webhook.secretsSigning).toBe(1);
    // The acme-only caller neither sees nor deletes a webhook reaching corp.
    expect((await graphql(acmeOnly.key, '{ webhooks { id } }')).data.webhooks).toEqual([]);
    expect((await remove(acmeOnly.key, all.webhook.id)).userErrors[0]?.code).toBe('WEBHOOK_NOT_FOUND');
    const listed = await graphql(manager.key, '{ webhooks { id url } }');
    expect(listed.data.webhooks).toEqual([{ id: all.webhook.id, url: 'http://127.0.0.1:9/b' }]);
    expect(JSON.stringify(listed)).not.toContain('whsec_');
    expect((await remove(manager.key, all.webhook.id)).deletedId).toBe(all.webhook.id);
    expect((await remove(manager.key, all.webhook.id)).userErrors[0]?.code).toBe('WEBHOOK_NOT_FOUND');
  });

  it('refuses URLs outside the policy, and the endpoint past webhooks.maxEndpoints', async () => {
    admin.policy = strict;
    try {
      for (const url of [
        'http://93.184.215.14/hooks',
        'https://127.0.0.1/',
        'https://169.254.169.254/latest/meta-data',
        'https://[::ffff:10.0.0.1]/',
        'https://localhost./',
        'https://2130706433/',
        'https://u:p@93.184.215.14/',
      ]) {
        const refused = await create(manager.key, { url });
        expect(refused.userErrors[0], url).toMatchObject({
          code: 'WEBHOOK_TARGET_REFUSED',
          field: ['input', 'url'],
        });
        expect(refused.userErrors[0]?.message).not.toContain('93.184');
      }
    } finally {
      admin.policy = permissive;
    }
    const long = await create(manager.key, { url: 'http://127.0.0.1:9/d', description: 'x'.repeat(201) });
    expect(long.userErrors[0]).toMatchObject({ code: 'BAD_USER_INPUT', field: ['input', 'description'] });
    const made = [];
    for (let n = 0; n < 3; n += 1) made.push(await create(manager.key, { url: `http://127.0.0.1:9/${n}` }));
    expect(made.every((answer) => answer.userErrors.length === 0)).toBe(true);
    expect((await create(manager.key, { url: 'http://127.0.0.1:9/4' })).userErrors[0]?.code).toBe(
      'WEBHOOK_LIMIT_REACHED',
    );
    const overlap = await graphql(
      manager.key,
      'mutation ($id: ID!) { rotateWebhookSecret(input: { id: $id, overlapSeconds: 2592001 }) { secret userErrors { code field } } }',
      { id: made[0]?.webhook.id },
    );
    expect(overlap.data.rotateWebhookSecret).toEqual({
      secret: null,
      userErrors: [{ code: 'BAD_USER_INPUT', field: ['input', 'overlapSeconds'] }],
    });
    for (const answer of made) await remove(manager.key, answer.webhook.id);
  });
});

describe('delivering', () => {
  it('rotates with overlap: both secrets sign until the overlap ends, then only the new one', async () => {
    const receiver = await WebhookReceiver.start();
    const made = await create(manager.key, { url: receiver.url, directories: ['acme'] });
    const first = made.secret as string;
    receiver.secret = first;
    const dispatcher = dispatch();
    signIn();
    await until(() => receiver.accepted.size >= 1, 15_000);
    const rotate = `mutation ($id: ID!, $overlap: Int) { rotateWebhookSecret(input: { id: $id, overlapSeconds: $overlap }) { secret webhook { secretsSigning } userErrors { code } } }`;
    const rotated = (await graphql(manager.key, rotate, { id: made.webhook.id, overlap: 60 })).data
      ?.rotateWebhookSecret;
    expect(rotated.secret).not.toBe(first);
    expect(rotated.webhook.secretsSigning).toBe(2);
    // A receiver still holding the old secret verifies, and one holding the new one too.
    signIn();
    await until(() => receiver.accepted.size >= 2, 15_000);
    receiver.secret = rotated.secret as string;
    signIn();
    await until(() => receiver.accepted.size >= 3, 15_000);
    expect(receiver.attempts.every((attempt) => attempt.verified)).toBe(true);
    // Overlap 0: the old secret stops signing at once.
    const cut = (await graphql(manager.key, rotate, { id: made.webhook.id, overlap: 0 })).data
      ?.rotateWebhookSecret;
    expect(cut.webhook.secretsSigning).toBe(1);
    receiver.secret = rotated.secret as string;
    signIn();
    await until(() => receiver.attempts.length >= 4, 15_000);
    expect(receiver.attempts.at(-1)?.verified).toBe(false);
    await dispatcher.stop();
    await remove(manager.key, made.webhook.id);
    await receiver.close();
  });

  it('gives up after the retry period (a dead letter), and replays it when asked', async () => {
    const receiver = await WebhookReceiver.start({ failRate: 1 });
    const made = await create(manager.key, { url: receiver.url, directories: ['acme'] });
    receiver.secret = made.secret;
    const dispatcher = dispatch({ retryForMs: 400 });
    signIn();
    const dead = `query { webhooks { id deadLetterCount backlog deadLetters { messageId attempts lastError body } } }`;
    const mine = async () =>
      (await graphql(manager.key, dead)).data.webhooks.find(
        (hook: { id: string }) => hook.id === made.webhook.id,
      );
    let seen: Answer | undefined;
    for (let n = 0; n < 100 && (seen?.deadLetterCount ?? 0) < 1; n += 1) {
      seen = await mine();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(seen?.deadLetterCount).toBe(1);
    const letter = seen?.deadLetters[0] as Answer['deadLetters'][number];
    expect(letter.attempts).toBeGreaterThanOrEqual(2);
    expect(letter.lastError).toBe('HTTP 500');
    expect(JSON.parse(letter.body).type).toBe('change.sign_in');
    receiver.failRate = 0;
    const replay = `mutation ($id: ID!) { replayWebhookDeadLetters(input: { id: $id }) { replayed userErrors { code } } }`;
    expect(
      (await graphql(manager.key, replay, { id: made.webhook.id })).data.replayWebhookDeadLetters.replayed,
    ).toBe(1);
    await until(() => receiver.accepted.has(letter.messageId), 15_000);
    expect((await mine())?.deadLetterCount).toBe(0);
    await dispatcher.stop();
    await remove(manager.key, made.webhook.id);
    await receiver.close();
  });

  it('past maxBacklog, new messages become dead letters at once (BACKLOG_FULL); the breaker holds attempts off', async () => {
    const receiver = await WebhookReceiver.start({ failRate: 1 });
    const made = await create(manager.key, { url: receiver.url, directories: ['acme'] });
    const dispatcher = dispatch({
      maxBacklog: 2,
      breakerFailures: 1,
      breakerOpenMs: 60_000,
      retryInitialMs: 10,
    });
    for (let n = 0; n < 4; n += 1) {
      stack.sims.monocloud.access.signIn(stack.ids.monocloud[n] ?? '', Math.ceil(Date.now() / 1000) + 1);
    }
    let letters = { count: 0, letters: [] as { lastError: string | null }[] };
    for (let n = 0; n < 100 && letters.count < 2; n += 1) {
      letters = await store.deadLetters(made.webhook.id, 10);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(letters.count).toBe(2);
    // `deadLetters(first:)` answers at most 100, whatever is asked for.
    await store.enqueue(
      made.webhook.id,
      'corp',
      await store.cursor(made.webhook.id, 'corp'),
      10_000_000,
      [],
      Array.from({ length: 150 }, (_, n) => ({
        messageId: `msg_${n}`,
        directory: 'corp',
        body: '{}',
        queuedAt: 0,
        attempts: 1,
        nextAttemptAt: 0,
        lastError: 'HTTP 500',
        deadAt: 0,
      })),
    );
    const capped = await graphql(
      manager.key,
      '{ webhooks { deadLetterCount deadLetters(first: 100000) { messageId } } }',
    );
    expect(capped.data.webhooks[0]?.deadLetterCount).toBe(152);
    expect(capped.data.webhooks[0]?.deadLetters).toHaveLength(100);
    expect(letters.letters.every((letter) => letter.lastError === 'BACKLOG_FULL')).toBe(true);
    expect(await store.backlog(made.webhook.id, 'acme')).toBe(2);
    // One failure opened the breaker for a minute: no second attempt meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(receiver.attempts.length).toBe(1);
    await dispatcher.stop();
    await remove(manager.key, made.webhook.id);
    await receiver.close();
  });

  it('keeps at most concurrencyPerEndpoint deliveries in flight to an endpoint (one per directory at most)', async () => {
    stack.sims.zitadel.access.eventsAllowed = true;
    for (const concurrency of [1, 2]) {
      const receiver = await WebhookReceiver.start();
      receiver.delayMs = 300;
      const made = await create(manager.key, { url: receiver.url, directories: ['acme', 'corp'] });
      const dispatcher = dispatch({ concurrency });
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (let n = 0; n < 3; n += 1) {
        stack.sims.monocloud.access.signIn(stack.ids.monocloud[n] ?? '', Math.ceil(Date.now() / 1000) + 1);
        stack.sims.zitadel.access.signIn(stack.ids.zitadel[n] ?? '', Date.now() + 1_000);
      }
      await until(() => receiver.accepted.size >= 6, 20_000);
      // Two directories with messages waiting: with room for two, both are sent at once.
      expect(receiver.maxInFlight).toBe(concurrency);
      await dispatcher.stop();
      await remove(manager.key, made.webhook.id);
      await receiver.close();
    }
  }, 60_000);

  it('bounds each attempt by the sender’s timeout: a receiver that does not answer in time fails with TIMEOUT', async () => {
    const receiver = await WebhookReceiver.start();
    receiver.delayMs = 2_500;
    const made = await create(manager.key, { url: receiver.url, directories: ['acme'] });
    // The test's sender waits 1 s for an answer; the message is given up on after its first failure.
    const dispatcher = dispatch({ retryForMs: 300 });
    signIn();
    let letters = { count: 0, letters: [] as { lastError: string | null }[] };
    for (let n = 0; n < 100 && letters.count < 1; n += 1) {
      letters = await store.deadLetters(made.webhook.id, 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(letters.letters[0]?.lastError).toBe('TIMEOUT');
    await dispatcher.stop();
    await remove(manager.key, made.webhook.id);
    await receiver.close();
  }, 30_000);
});
