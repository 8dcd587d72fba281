import { afterEach, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/auth/api-keys.js';
import { Authenticator } from '../../src/auth/authenticator.js';
import { authSettings } from '../../src/auth/settings.js';
import { encodeUserId } from '../../src/directory/global-id.js';
import { DirectoriesHealthDocument, NodesByIdsDocument, UserByIdDocument } from '../generated/graphql.js';
import { Stack } from '../support/stack.js';

// One caller can never hurt another, nor a directory: calls its own deadline ends do not count against
// the directory's breaker, a busy directory serves callers in turn, and each caller has a quota.

const READ = [
  'users:read',
  'users:read:contact',
  'users:read:credentials',
  'users:read:activity',
  'users:read:private',
] as const;
const attacker = generateApiKey();
const victim = generateApiKey();
const authenticator = () =>
  new Authenticator(
    authSettings.parse({
      apiKeys: [
        { name: 'attacker', sha256: attacker.sha256, scopes: [...READ, 'directories:health' as const] },
        { name: 'victim', sha256: victim.sha256, scopes: [...READ] },
      ],
    }),
  );

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('honest breaker accounting', () => {
  it('2000 unknown ids at 150 ms latency with a short deadline leave the circuit CLOSED and others unaffected', async () => {
    stack = await Stack.start({
      perDirectory: 5,
      latencyMs: 150,
      requestTimeoutMs: 400,
      security: { authenticator: authenticator() },
      limits: { ids: 5_000, maxUpstreamCalls: 10_000 },
    });
    const ids = Array.from({ length: 2_000 }, (_, i) => encodeUserId('acme', `nobody${i}`));
    const flood = await stack.execute(NodesByIdsDocument, { ids }, { 'x-api-key': attacker.key });
    // The first errors of the field in full, the rest counted in one summary: every one a timeout.
    const [summary, ...shown] = [...(flood.body.errors ?? [])].reverse();
    expect(shown.every((error) => error.extensions?.code === 'DIRECTORY_TIMEOUT')).toBe(true);
    expect(summary?.extensions?.code).toBe('ERRORS_TRUNCATED');
    expect(summary?.extensions?.codes).toEqual({ DIRECTORY_TIMEOUT: summary?.extensions?.omitted });
    const health = await stack.execute(DirectoriesHealthDocument, {}, { 'x-api-key': attacker.key });
    const acme = health.body.data?.directories.find((directory) => directory.name === 'acme');
    expect(acme?.health?.circuit).toBe('CLOSED');
    const id = encodeUserId('acme', stack.ids.monocloud[0] ?? '');
    const other = await stack.execute(UserByIdDocument, { id }, { 'x-api-key': victim.key });
    expect(other.body.errors).toBeUndefined();
    expect(other.body.data?.user?.localId).toBe(stack.ids.monocloud[0]);
  });
});

describe('fair shares of a busy directory', () => {
  it('a victim’s single lookup waits a turn, not behind the attacker’s queued calls', async () => {
    stack = await Stack.start({
      perDirectory: 120,
      latencyMs: 50,
      requestTimeoutMs: 20_000,
      security: { authenticator: authenticator() },
      configure: (configs) =>
        configs.map((config) =>
          config.name === 'acme' ? { ...config, resilience: { maxConcurrent: 4 } } : config,
        ),
    });
    const s = stack;
    const id = encodeUserId('acme', s.ids.monocloud[0] ?? '');
    const lookup = async () => {
      const started = performance.now();
      const answer = await s.execute(UserByIdDocument, { id }, { 'x-api-key': victim.key });
      expect(answer.body.errors).toBeUndefined();
      return performance.now() - started;
    };
    await lookup();
    const alone = Math.min(await lookup(), await lookup());
    // Four requests of 100 users each: 32 calls queued for 4 slots, 400 in all.
    const flood = [0, 1, 2, 3].map((n) =>
      s.execute(
        NodesByIdsDocument,
        { ids: s.ids.monocloud.slice(1 + n * 25, 101 + n * 25).map((local) => encodeUserId('acme', local)) },
        { 'x-api-key': attacker.key },
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(s.sims.monocloud.maxInFlight('getUser')).toBe(4);
    const contended = await lookup();
    await Promise.all(flood);
    expect(contended).toBeLessThan(2 * alone + 50);
  }, 30_000);
});

describe('fair shares of a directory’s quota', () => {
  it('under a quota of 50/s, a victim’s single lookup waits a turn, not behind 800 of the attacker’s calls', async () => {
    stack = await Stack.start({
      perDirectory: 260,
      requestTimeoutMs: 60_000,
      security: { authenticator: authenticator() },
      limits: { perPrincipal: { operationsPerMinute: 1_000, upstreamCallsPerMinute: 100_000 } },
      configure: (configs) =>
        configs.map((config) =>
          config.name === 'acme' ? { ...config, resilience: { rateLimit: { quota: 50 } } } : config,
        ),
    });
    const s = stack;
    const id = encodeUserId('acme', s.ids.monocloud[0] ?? '');
    const stop = new AbortController();
    // Four operations of 200 MonoCloud reads each (one GET per id): 800 calls, 17 s of the quota.
    const flood = [0, 1, 2, 3].map((n) =>
      Promise.resolve(
        s.app.fetch('http://usergraph.test/graphql', {
          method: 'POST',
          signal: stop.signal,
          headers: { 'content-type': 'application/json', 'x-api-key': attacker.key },
          body: JSON.stringify({
            query: 'query ($ids: [ID!]!) { nodes(ids: $ids) { id } }',
            variables: {
              ids: s.ids.monocloud
                .slice(1 + n * 50, 201 + n * 50)
                .map((local) => encodeUserId('acme', local)),
            },
          }),
        }),
      ).catch(() => null),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const started = performance.now();
    const answer = await s.execute(UserByIdDocument, { id }, { 'x-api-key': victim.key });
    const waited = performance.now() - started;
    stop.abort();
    await Promise.all(flood);
    expect(answer.body.errors).toBeUndefined();
    // One turn of the quota is ~21 ms; before, the lookup waited behind every call holding a slot (5 s).
    expect(waited).toBeLessThan(250);
  }, 30_000);
});

describe('per-principal quota', () => {
  it('takes at most half of a quota-bound directory’s rate per minute for one principal, by default', async () => {
    stack = await Stack.start({
      perDirectory: 520,
      // The calls need not happen: what is counted is each operation's estimate, before it runs.
      requestTimeoutMs: 100,
      security: { authenticator: authenticator() },
      configure: (configs) =>
        configs.map((config) =>
          config.name === 'acme' ? { ...config, resilience: { rateLimit: { quota: 50 } } } : config,
        ),
    });
    const s = stack;
    // 47.5 requests/s under the quota; half of a minute of it is 1,425 calls.
    const send = (key: string) =>
      s.app.fetch('http://usergraph.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify({
          query: 'query ($ids: [ID!]!) { nodes(ids: $ids) { id } }',
          variables: { ids: s.ids.monocloud.slice(0, 500).map((local) => encodeUserId('acme', local)) },
        }),
      });
    expect((await send(attacker.key)).status).toBe(200);
    expect((await send(attacker.key)).status).toBe(200);
    const third = await send(attacker.key);
    expect(third.status).toBe(429);
    expect(
      ((await third.json()) as { errors: { extensions: unknown }[] }).errors[0]?.extensions,
    ).toMatchObject({
      code: 'RATE_LIMITED',
    });
    expect((await send(victim.key)).status).toBe(200);
  });

  it('past its operations per minute a caller gets RATE_LIMITED with retryAfter; others go on', async () => {
    stack = await Stack.start({
      perDirectory: 5,
      security: { authenticator: authenticator() },
      // 30 a minute: a burst of 3 at once (a tenth of a minute's worth), then one every 2 s.
      limits: { perPrincipal: { operationsPerMinute: 30, upstreamCallsPerMinute: 1_000 } },
    });
    const id = encodeUserId('acme', stack.ids.monocloud[0] ?? '');
    for (let i = 0; i < 3; i += 1) {
      const ok = await stack.execute(UserByIdDocument, { id }, { 'x-api-key': attacker.key });
      expect(ok.body.errors).toBeUndefined();
    }
    const calls = stack.sims.monocloud.count();
    const refused = await stack.execute(UserByIdDocument, { id }, { 'x-api-key': attacker.key });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfter: expect.any(Number),
    });
    expect(stack.sims.monocloud.count()).toBe(calls);
    const other = await stack.execute(UserByIdDocument, { id }, { 'x-api-key': victim.key });
    expect(other.body.errors).toBeUndefined();
  });
});
