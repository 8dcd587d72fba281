import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/auth/api-keys.js';
import { Authenticator } from '../../src/auth/authenticator.js';
import { authSettings } from '../../src/auth/settings.js';
import type { CacheSettings } from '../../src/cache/cache-settings.js';
import type { DirectoryConfig } from '../../src/config/config.js';
import { decodeUserId, encodeUserId } from '../../src/directory/global-id.js';
import type { SharedState } from '../../src/shared/shared-state.js';
import { CardNamesDocument, NodesByIdsDocument } from '../generated/graphql.js';
import { RedisServer } from '../support/redis.js';
import { Stack } from '../support/stack.js';

// The user cache across requests, with its freshness rules, its per-caller scopes and its bypass, in
// memory and in a real Redis shared by two replicas.

const keys = { contact: generateApiKey(), names: generateApiKey(), fresh: generateApiKey() };
const security = () => ({
  authenticator: new Authenticator(
    authSettings.parse({
      apiKeys: [
        { name: 'support', sha256: keys.contact.sha256, scopes: ['users:read', 'users:read:contact'] },
        { name: 'names-only', sha256: keys.names.sha256, scopes: ['users:read'] },
        {
          name: 'console',
          sha256: keys.fresh.sha256,
          scopes: ['users:read', 'users:read:contact', 'cache:bypass'],
        },
      ],
    }),
  ),
});
const withCache = (cache: Partial<CacheSettings>) => (configs: DirectoryConfig[]) =>
  configs.map((config) => ({
    ...config,
    cache: {
      staleSeconds: 0,
      notFoundSeconds: 5,
      maxEntries: 1000,
      ...cache,
      ttlSeconds: cache.ttlSeconds ?? 30,
    },
  }));

const sixty = (stack: Stack) => [
  ...stack.ids.monocloud.slice(0, 20).map((id) => encodeUserId('acme', id)),
  ...stack.ids.zitadel.slice(0, 20).map((id) => encodeUserId('corp', id)),
  ...stack.ids.appServices.slice(0, 20).map((id) => encodeUserId('mobile', id)),
];
const dataCalls = (stack: Stack) =>
  stack.sims.monocloud.count() + stack.sims.zitadel.count() + stack.sims.appServices.count('getUser');

describe('in memory, 30 s TTL', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start({
      perDirectory: 20,
      configure: withCache({ ttlSeconds: 30 }),
      security: security(),
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.sims.resetAll());

  it('reloading the same 60 users 100 times reads each once: 20 + 1 + 20 upstream calls, not 4100', async () => {
    let first = '';
    for (let i = 0; i < 100; i += 1) {
      const { body } = await stack.execute(
        CardNamesDocument,
        { ids: sixty(stack) },
        { 'x-api-key': keys.contact.key },
      );
      expect(body.errors).toBeUndefined();
      const text = JSON.stringify(body.data);
      if (i === 0) first = text;
      else expect(text).toBe(first);
    }
    expect(stack.sims.monocloud.count('getUser')).toBe(20);
    expect(stack.sims.zitadel.count('listUsers')).toBe(1);
    expect(stack.sims.appServices.count('getUser')).toBe(20);
  });

  it('a caller without users:read:contact never receives a cached email', async () => {
    const ids = sixty(stack).slice(0, 5);
    const warm = await stack.execute(CardNamesDocument, { ids }, { 'x-api-key': keys.contact.key });
    expect(JSON.stringify(warm.body.data)).toContain('@');
    stack.sims.resetAll();
    const { body } = await stack.execute(CardNamesDocument, { ids }, { 'x-api-key': keys.names.key });
    expect(dataCalls(stack)).toBe(0); // served from the cache…
    expect(JSON.stringify(body.data)).not.toContain('@'); // …with the scopes of this caller
    expect(body.errors?.map((error) => error.extensions?.code)).toEqual(Array(5).fill('FORBIDDEN'));
  });

  it('fetchedAt is when usergraph read the user, and stays so while it is served from the cache', async () => {
    const ids = [encodeUserId('acme', stack.ids.monocloud[3] ?? '')];
    const read = async (headers: Record<string, string>) => {
      const response = await stack.app.fetch('http://usergraph.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({
          query: 'query ($ids: [ID!]!) { nodes(ids: $ids) { ... on User { fetchedAt } } }',
          variables: { ids },
        }),
      });
      return {
        status: response.status,
        body: (await response.json()) as {
          data?: { nodes: { fetchedAt: string }[] };
          errors?: { extensions: Record<string, unknown> }[];
        },
      };
    };
    const first = await read({ 'x-api-key': keys.contact.key });
    const at = first.body.data?.nodes[0]?.fetchedAt ?? '';
    expect(Date.now() - Date.parse(at)).toBeLessThan(30_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await read({ 'x-api-key': keys.names.key })).body.data?.nodes[0]?.fetchedAt).toBe(at);
    // A caller with cache:bypass reads the directory again and refreshes the cache for everyone.
    stack.sims.resetAll();
    const fresh = await read({ 'x-api-key': keys.fresh.key, 'x-usergraph-cache': 'bypass' });
    expect(stack.sims.monocloud.count('getUser')).toBe(1);
    const refreshed = fresh.body.data?.nodes[0]?.fetchedAt ?? '';
    expect(Date.parse(refreshed)).toBeGreaterThan(Date.parse(at));
    expect((await read({ 'x-api-key': keys.names.key })).body.data?.nodes[0]?.fetchedAt).toBe(refreshed);
    // Anyone else asking to bypass is refused, not quietly served from the cache.
    const refused = await read({ 'x-api-key': keys.contact.key, 'x-usergraph-cache': 'bypass' });
    expect(refused.status).toBe(403);
    expect(refused.body.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN', scope: 'cache:bypass' });
    const nonsense = await read({ 'x-api-key': keys.fresh.key, 'x-usergraph-cache': 'please' });
    expect(nonsense.status).toBe(400);
  });

  it('remembers a 404 for notFoundSeconds, and never an error', async () => {
    const unknown = encodeUserId('acme', 'no-such-user');
    for (let i = 0; i < 3; i += 1)
      await stack.execute(NodesByIdsDocument, { ids: [unknown] }, { 'x-api-key': keys.contact.key });
    expect(stack.sims.monocloud.count('getUser')).toBe(1);
    stack.sims.resetAll();
    // A user no earlier test read (the first 20 are cached by now).
    expect(stack.ids.monocloud.length).toBeGreaterThan(20);
    const failing = encodeUserId('acme', stack.ids.monocloud[20] ?? '');
    stack.sims.monocloud.inject({ route: 'getUser', fault: { type: 'status', status: 503 }, times: 10 });
    const failed = await stack.execute(
      NodesByIdsDocument,
      { ids: [failing] },
      { 'x-api-key': keys.contact.key },
    );
    expect(failed.body.errors?.[0]?.extensions?.code).toBe('DIRECTORY_UNAVAILABLE');
    stack.sims.monocloud.clearFaults();
    const recovered = await stack.execute(
      NodesByIdsDocument,
      { ids: [failing] },
      { 'x-api-key': keys.contact.key },
    );
    expect(recovered.body.errors).toBeUndefined();
    expect(recovered.body.data?.nodes?.[0]).not.toBeNull();
  });
});

describe('freshness: a 1 s TTL and 2 s of staleness', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start({ perDirectory: 5, configure: withCache({ ttlSeconds: 1, staleSeconds: 2 }) });
  });
  afterAll(() => stack.close());

  it('a change upstream is seen after the TTL: served stale once while refreshed, fresh next', async () => {
    const localId = stack.ids.monocloud[1] ?? '';
    const ids = [encodeUserId('acme', localId)];
    const name = async () => {
      const { body } = await stack.execute(CardNamesDocument, { ids }, {});
      return (body.data?.nodes?.[0] as { displayName?: string } | null)?.displayName;
    };
    const before = await name();
    const user = stack.sims.monocloud.users.find((u) => u.user_id === localId);
    stack.sims.monocloud.update(localId, { claims: { ...user?.claims, name: 'Renamed Person' } });
    expect(await name()).toBe(before); // fresh for 1 s
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await name()).toBe(before); // stale: served, and refreshed in the background
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await name()).toBe('Renamed Person');
    // Past TTL + staleness, nothing stale is served: the directory is asked while the caller waits.
    stack.sims.monocloud.update(localId, { claims: { ...user?.claims, name: 'Third Name' } });
    await new Promise((resolve) => setTimeout(resolve, 3_100));
    expect(await name()).toBe('Third Name');
  }, 15_000);
});

describe('in Redis, shared by two replicas', () => {
  let redis: RedisServer;
  let first: Stack;
  let second: Stack;
  let links: SharedState[];
  beforeAll(async () => {
    redis = await RedisServer.start();
    links = await redis.links(2, 'cache-test:');
    first = await Stack.start({
      perDirectory: 20,
      configure: withCache({ ttlSeconds: 30 }),
      shared: links[0],
    });
    // The second replica's directories point at the first one's simulators: the same upstream.
    second = await Stack.start({
      perDirectory: 1,
      configure: () => withCache({ ttlSeconds: 30 })([...first.configs]),
      shared: links[1],
    });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    for (const shared of links ?? []) await shared.close();
    await redis?.close();
  });

  it('what one replica read, the other serves without asking the directory', async () => {
    const ids = sixty(first);
    const a = await first.execute(CardNamesDocument, { ids }, {});
    expect(a.body.errors).toBeUndefined();
    const upstream = dataCalls(first);
    expect(upstream).toBe(41);
    const b = await second.execute(CardNamesDocument, { ids }, {});
    expect(JSON.stringify(b.body.data)).toBe(JSON.stringify(a.body.data));
    expect(dataCalls(first)).toBe(upstream);
  });

  it('keeps users under keys that name their stored form, instants as epoch milliseconds', async () => {
    const [id] = sixty(first);
    await first.execute(CardNamesDocument, { ids: [id as string] }, {});
    const ref = decodeUserId(id as string);
    if (typeof ref === 'string') throw new Error(ref);
    const commands = (links[0] as SharedState).commands;
    const stored = await commands.get(`cache:2:${ref.directory}:user:${ref.localId}`);
    expect(stored).not.toBeNull();
    const entry = JSON.parse(stored as string) as { value: { createdAt: unknown }; fetchedAt: unknown };
    expect(typeof entry.fetchedAt).toBe('number');
    expect(typeof entry.value.createdAt).toBe('number');
    // Nothing under the keys of the form before (RFC 3339 strings), which this release must not read.
    expect(await commands.get(`cache:${ref.directory}:user:${ref.localId}`)).toBeNull();
  });

  it('with Redis gone, the cache reads as empty and every answer still comes', async () => {
    await redis.stop();
    first.sims.resetAll();
    const { body } = await second.execute(CardNamesDocument, { ids: sixty(first).slice(0, 3) }, {});
    expect(body.errors).toBeUndefined();
    expect(first.sims.monocloud.count('getUser')).toBe(3);
  });
});
