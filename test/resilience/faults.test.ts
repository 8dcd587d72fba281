import { afterEach, describe, expect, it } from 'vitest';
import { DirectoriesHealthDocument, MergedUsersDocument } from '../generated/graphql.js';
import type { Stack } from '../support/stack.js';
import { idsOf, nodes, readiness, startStack } from './support.js';

// One failure mode per test, injected with the simulators' fault knobs; every stack is closed after
// its test, so breakers and pauses never leak into another test.

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const errorsByDirectory = (errors: { extensions?: Record<string, unknown> }[] | undefined) =>
  Object.fromEntries((errors ?? []).map((error) => [String(error.extensions?.directory), error.extensions]));

describe('429 with Retry-After', () => {
  it('waits as long as the header says (delay-seconds), then answers', async () => {
    stack = await startStack();
    stack.sims.monocloud.inject({
      route: 'getUser',
      fault: { type: 'rate-limit', retryAfter: '1' },
      times: 1,
    });
    const ids = idsOf(stack, 'acme', 1);
    const { body, elapsedMs } = await nodes(stack, ids);
    expect(body.errors).toBeUndefined();
    expect(body.data?.nodes?.[0]?.id).toBe(ids[0]);
    expect(elapsedMs).toBeGreaterThanOrEqual(990);
    expect(stack.sims.monocloud.count('getUser')).toBe(2);
  });

  it('honours an HTTP-date Retry-After', async () => {
    stack = await startStack();
    const at = new Date(Date.now() + 2_000).toUTCString(); // whole seconds: 1–2 s from now
    stack.sims.zitadel.inject({
      route: 'listUsers',
      fault: { type: 'rate-limit', retryAfter: at },
      times: 1,
    });
    const ids = idsOf(stack, 'corp', 3);
    const { body, elapsedMs } = await nodes(stack, ids);
    expect(body.errors).toBeUndefined();
    expect(body.data?.nodes?.map((node) => node?.id)).toEqual(ids);
    expect(elapsedMs).toBeGreaterThanOrEqual(990);
    expect(stack.sims.zitadel.count('listUsers')).toBe(2);
  });

  it('fails fast with DIRECTORY_RATE_LIMITED and retryAfter when the wait would pass the deadline, and holds off later calls', async () => {
    stack = await startStack({}, { requestTimeoutMs: 2_000 });
    stack.sims.zitadel.inject({
      route: 'listUsers',
      fault: { type: 'rate-limit', retryAfter: '30' },
      times: 1,
    });
    const ids = [...idsOf(stack, 'corp', 2), ...idsOf(stack, 'acme', 1)];
    const first = await nodes(stack, ids);
    expect(first.elapsedMs).toBeLessThan(1_000);
    expect(first.body.data?.nodes?.[2]?.id).toBe(ids[2]);
    expect(errorsByDirectory(first.body.errors).corp).toMatchObject({
      code: 'DIRECTORY_RATE_LIMITED',
      retryAfter: 30,
      upstreamStatus: 429,
    });
    // The provider asked for 30 s: the next request does not call it at all.
    const second = await nodes(stack, ids.slice(0, 2));
    expect(errorsByDirectory(second.body.errors).corp).toMatchObject({ code: 'DIRECTORY_RATE_LIMITED' });
    expect(stack.sims.zitadel.count('listUsers')).toBe(1);
  });
});

describe('deadline', () => {
  it('answers DIRECTORY_TIMEOUT within the request deadline when a directory hangs; the others answer', async () => {
    stack = await startStack({}, { requestTimeoutMs: 800 });
    stack.sims.zitadel.inject({ route: 'listUsers', fault: { type: 'hang' } });
    const ids = [...idsOf(stack, 'corp', 2), ...idsOf(stack, 'acme', 2), ...idsOf(stack, 'mobile', 2)];
    const { body, elapsedMs } = await nodes(stack, ids);
    expect(elapsedMs).toBeGreaterThanOrEqual(780);
    expect(elapsedMs).toBeLessThan(1_500);
    expect(body.data?.nodes?.slice(2).map((node) => node?.id)).toEqual(ids.slice(2));
    expect(body.errors).toHaveLength(2);
    for (const error of body.errors ?? []) {
      expect(error.extensions).toMatchObject({ code: 'DIRECTORY_TIMEOUT', directory: 'corp' });
    }
  });

  it('bounds merged lists too: a hung directory is named, the others’ users are returned', async () => {
    stack = await startStack({}, { requestTimeoutMs: 700 });
    stack.sims.monocloud.inject({ route: 'listUsers', fault: { type: 'hang' } });
    const started = Date.now();
    const { body } = await stack.execute(MergedUsersDocument, { first: 20 });
    expect(Date.now() - started).toBeLessThan(1_400);
    const names = new Set(body.data?.users?.edges.map((edge) => edge.node.directory.name));
    expect([...names].sort()).toEqual(['corp', 'mobile']);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'DIRECTORY_TIMEOUT', directory: 'acme' });
  });
});

describe('retries', () => {
  it('turns 50% injected 500s into correct answers', async () => {
    const retry = { maxAttempts: 10, baseDelayMs: 20, budgetMinPerSecond: 10 };
    stack = await startStack({ acme: { retry }, corp: { retry }, mobile: { retry } });
    const ids = [...idsOf(stack, 'acme', 6), ...idsOf(stack, 'corp', 6), ...idsOf(stack, 'mobile', 6)];
    const clean = await nodes(stack, ids);
    expect(clean.body.errors).toBeUndefined();
    const cleanRequests = stack.sims.all.reduce((sum, sim) => sum + sim.count(), 0);

    for (const sim of stack.sims.all) {
      sim.reset();
      sim.inject({ fault: { type: 'status', status: 500 }, probability: 0.5 });
    }
    // A fresh request: no DataLoader cache, every user is fetched again through the faults.
    const faulty = await nodes(stack, ids);
    expect(faulty.body.errors).toBeUndefined();
    expect(faulty.body.data).toEqual(clean.body.data);
    const failed = stack.sims.all.reduce(
      (sum, sim) => sum + sim.log.filter((e) => e.status === 500).length,
      0,
    );
    expect(failed).toBeGreaterThan(0);
    const faultyRequests = stack.sims.all.reduce((sum, sim) => sum + sim.count(), 0);
    // Every failure cost exactly one retry. (The clean run logged in to App Services; this one did not need to.)
    expect(faultyRequests).toBe(cleanRequests - 1 + failed);
  });

  it('does not retry a malformed body: DIRECTORY_BAD_RESPONSE after one request', async () => {
    stack = await startStack();
    stack.sims.zitadel.inject({ route: 'listUsers', fault: { type: 'malformed' } });
    const { body, text } = await nodes(stack, idsOf(stack, 'corp', 2));
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'DIRECTORY_BAD_RESPONSE', directory: 'corp' });
    expect(text).not.toContain('trunc');
    expect(stack.sims.zitadel.count('listUsers')).toBe(1);
  });

  it('does not retry 401: DIRECTORY_UNAUTHORIZED with one request per id at most, for MonoCloud and ZITADEL', async () => {
    stack = await startStack(
      {},
      {
        configure: (configs) =>
          configs.map((config) => {
            if (config.provider === 'monocloud') return { ...config, apiKey: 'mc_wrong' };
            if (config.provider === 'zitadel') return { ...config, token: 'zt_wrong' };
            return config;
          }),
      },
    );
    const ids = [...idsOf(stack, 'acme', 20), ...idsOf(stack, 'corp', 20), ...idsOf(stack, 'mobile', 2)];
    for (let round = 0; round < 5; round += 1) {
      const { body } = await nodes(stack, ids);
      expect(body.data?.nodes?.slice(40).map((node) => node?.id)).toEqual(ids.slice(40));
      const codes = errorsByDirectory(body.errors);
      expect(codes.acme).toMatchObject({ code: 'DIRECTORY_UNAUTHORIZED', upstreamStatus: 401 });
      expect(codes.corp).toMatchObject({ code: 'DIRECTORY_UNAUTHORIZED', upstreamStatus: 401 });
    }
    // Five requests of 20 ids each: MonoCloud stops the batch once the first 401s are back (at most
    // `concurrency` = 8 in flight), ZITADEL sends one batch; nothing is retried.
    const monocloud = stack.sims.monocloud.count('getUser');
    expect(monocloud).toBeLessThanOrEqual(5 * 8);
    expect(stack.sims.monocloud.log.every((entry) => entry.status === 401)).toBe(true);
    expect(stack.sims.zitadel.count('listUsers')).toBe(5);
    const { body } = await readiness(stack);
    expect(body.ready).toBe(true);
    expect(body.directories.map((d) => [d.name, d.state])).toEqual([
      ['acme', 'DOWN'],
      ['corp', 'DOWN'],
      ['mobile', 'UP'],
    ]);
  });
});

describe('circuit breaker', () => {
  it('opens after failures (no upstream traffic while open), half-opens after openMs and closes on a good probe', async () => {
    stack = await startStack({
      acme: {
        retry: { maxAttempts: 1 },
        circuitBreaker: { windowSize: 4, minimumCalls: 4, failureRatio: 0.5, openMs: 400 },
      },
    });
    const sim = stack.sims.monocloud;
    sim.inject({ route: 'getUser', fault: { type: 'status', status: 500 } });
    const four = idsOf(stack, 'acme', 4);
    const first = await nodes(stack, four);
    expect(errorsByDirectory(first.body.errors).acme).toMatchObject({ code: 'DIRECTORY_UNAVAILABLE' });
    expect(sim.count('getUser')).toBe(4);

    const open = await nodes(stack, [...four, ...idsOf(stack, 'corp', 1)]);
    expect(open.body.data?.nodes?.[4]?.id).toBeDefined();
    expect(errorsByDirectory(open.body.errors).acme).toMatchObject({ code: 'DIRECTORY_UNAVAILABLE' });
    expect(sim.count('getUser')).toBe(4); // failed fast
    expect(open.elapsedMs).toBeLessThan(200);
    const health = await stack.execute(DirectoriesHealthDocument, {});
    expect(health.body.data?.directories[0]?.health).toMatchObject({
      state: 'DOWN',
      circuit: 'OPEN',
      lastError: { code: 'DIRECTORY_UNAVAILABLE' },
    });

    await new Promise((resolve) => setTimeout(resolve, 450));
    const halfOpen = await stack.execute(DirectoriesHealthDocument, {});
    expect(halfOpen.body.data?.directories[0]?.health?.circuit).toBe('HALF_OPEN');
    // Still failing: one probe goes out, fails, and the circuit opens again.
    await nodes(stack, four.slice(0, 3));
    expect(sim.count('getUser')).toBe(5);
    expect(
      (await stack.execute(DirectoriesHealthDocument, {})).body.data?.directories[0]?.health?.circuit,
    ).toBe('OPEN');

    await new Promise((resolve) => setTimeout(resolve, 450));
    sim.clearFaults();
    const probe = await nodes(stack, four.slice(0, 1));
    expect(probe.body.errors).toBeUndefined();
    expect(
      (await stack.execute(DirectoriesHealthDocument, {})).body.data?.directories[0]?.health?.circuit,
    ).toBe('CLOSED');
    const after = await nodes(stack, four);
    expect(after.body.errors).toBeUndefined();
    expect(after.body.data?.nodes?.map((node) => node?.id)).toEqual(four);
  });
});

describe('one directory down', () => {
  it('returns the others’ data intact and names the failed directory, in nodes and in merged lists', async () => {
    stack = await startStack();
    const healthyIds = [...idsOf(stack, 'acme', 3), ...idsOf(stack, 'corp', 3)];
    const clean = await nodes(stack, healthyIds);
    stack.sims.appServices.inject({ fault: { type: 'reset' } });
    const ids = [...healthyIds, ...idsOf(stack, 'mobile', 3)];
    const { status, body } = await nodes(stack, ids);
    expect(status).toBe(200);
    expect(body.data?.nodes?.slice(0, 6)).toEqual(clean.body.data?.nodes);
    expect(body.data?.nodes?.slice(6)).toEqual([null, null, null]);
    expect(body.errors).toHaveLength(3);
    for (const error of body.errors ?? []) {
      expect(error.extensions).toMatchObject({
        code: 'DIRECTORY_UNAVAILABLE',
        directory: 'mobile',
        provider: 'app-services',
      });
    }
    const list = await stack.execute(MergedUsersDocument, { first: 30 });
    expect(new Set(list.body.data?.users?.edges.map((edge) => edge.node.directory.name))).toEqual(
      new Set(['acme', 'corp']),
    );
    expect(list.body.errors?.map((error) => error.extensions?.directory)).toEqual(['mobile']);
  });
});

describe('outbound limits', () => {
  it('spaces calls to the configured rate and caps calls in flight per directory', async () => {
    stack = await startStack({ acme: { rateLimit: { requestsPerSecond: 20, burst: 5 }, maxConcurrent: 2 } });
    const ids = idsOf(stack, 'acme', 20);
    expect(new Set(ids).size).toBe(20);
    const { body, elapsedMs } = await nodes(stack, ids);
    expect(body.errors).toBeUndefined();
    // 5 at once, then 15 more at 20/s.
    expect(elapsedMs).toBeGreaterThanOrEqual(730);
    expect(stack.sims.monocloud.maxInFlight('getUser')).toBeLessThanOrEqual(2);
  });
});

describe('health and readiness', () => {
  it('reports latency and state per directory; /readiness is 503 only when every directory is down', async () => {
    stack = await startStack();
    await nodes(stack, [
      ...idsOf(stack, 'acme', 3),
      ...idsOf(stack, 'corp', 3),
      ...idsOf(stack, 'mobile', 3),
    ]);
    const health = await stack.execute(DirectoriesHealthDocument, {});
    for (const directory of health.body.data?.directories ?? []) {
      expect(directory.health).toMatchObject({ state: 'UP', circuit: 'CLOSED', lastError: null });
      expect(directory.health?.latency.samples).toBeGreaterThan(0);
      expect(directory.health?.latency.p95Ms).toBeGreaterThanOrEqual(directory.health?.latency.p50Ms ?? 0);
    }
    expect((await readiness(stack)).status).toBe(200);

    await stack.close();
    stack = await startStack(
      {},
      {
        configure: (configs) =>
          configs.map((config) => {
            if (config.provider === 'monocloud') return { ...config, apiKey: 'mc_wrong' };
            if (config.provider === 'zitadel') return { ...config, token: 'zt_wrong' };
            return { ...config, publicApiKey: 'wrong', privateApiKey: 'wrong' };
          }),
      },
    );
    await nodes(stack, [
      ...idsOf(stack, 'acme', 1),
      ...idsOf(stack, 'corp', 1),
      ...idsOf(stack, 'mobile', 1),
    ]);
    // Every directory DOWN, and still ready: readiness is about this process, never its upstreams
    // (callers get the coded errors; the load balancer keeps the replica).
    const down = await readiness(stack);
    expect(down.status).toBe(200);
    expect(down.body.ready).toBe(true);
    expect(
      down.body.directories.every(
        (d) => d.state === 'DOWN' && d.lastError?.code === 'DIRECTORY_UNAUTHORIZED',
      ),
    ).toBe(true);
  });
});
