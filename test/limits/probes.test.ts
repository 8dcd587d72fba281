import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { serverSettings } from '../../src/config/config.js';
import { DEFAULT_LIMITS } from '../../src/cost/limits.js';
import { encodeUserId } from '../../src/directory/global-id.js';
import { createHttpServer } from '../../src/server/http-server.js';
import { Stack } from '../support/stack.js';

// Each probe from the abuse issue, re-run: a coded refusal or a bounded answer, never a frozen event
// loop (delay measured while it runs) nor a jump in resident memory.

let stack: Stack;
beforeAll(async () => {
  stack = await Stack.start({ perDirectory: 40 });
});
afterAll(() => stack.close());
beforeEach(() => stack.sims.resetAll());

interface Answer {
  status: number;
  body: {
    data?: unknown;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
    extensions?: Record<string, unknown>;
  };
  maxDelayMs: number;
  rssGrowthMb: number;
}

async function send(query: string, variables?: unknown, extensions?: unknown): Promise<Answer> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const rss = process.memoryUsage().rss;
  const response = await stack.app.fetch('http://usergraph.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query, variables, extensions }),
  });
  const body = await response.json();
  delay.disable();
  return {
    status: response.status,
    body,
    maxDelayMs: delay.max / 1e6,
    rssGrowthMb: (process.memoryUsage().rss - rss) / 2 ** 20,
  };
}

const upstream = () =>
  stack.sims.monocloud.count() + stack.sims.zitadel.count() + stack.sims.appServices.count();

function expectBounded(answer: Answer) {
  expect(answer.maxDelayMs).toBeLessThan(100);
  expect(answer.rssGrowthMb).toBeLessThan(50);
}

describe('static limits: QUERY_TOO_COMPLEX with the limit and the measured value, before any upstream call', () => {
  it('linkedAccounts seven deep (345 bytes) is refused by depth at once', async () => {
    let inner = 'id';
    for (let i = 0; i < 7; i += 1) inner = `id linkedAccounts { user { ${inner} } }`;
    const id = encodeUserId('acme', stack.ids.monocloud[0] ?? '');
    const answer = await send(`{ user(id: "${id}") { ${inner} } }`);
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.extensions).toEqual({
      code: 'QUERY_TOO_COMPLEX',
      limit: 'depth',
      max: DEFAULT_LIMITS.depth,
      measured: 16,
      requestId: expect.any(String),
    });
    expect(upstream()).toBe(0);
    expectBounded(answer);
  });

  it('the introspection query GraphiQL sends is answered: the schema’s own nesting is not counted as depth', async () => {
    const query = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
      oneOf: true,
    });
    const answer = await send(query);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.status).toBe(200);
    expect((answer.body.data as { __schema: { types: unknown[] } }).__schema.types.length).toBeGreaterThan(
      50,
    );
    // A deep query stays refused when it also introspects.
    let inner = 'id';
    for (let i = 0; i < 7; i += 1) inner = `id linkedAccounts { user { ${inner} } }`;
    const id = encodeUserId('acme', stack.ids.monocloud[0] ?? '');
    const mixed = await send(`{ __schema { queryType { name } } user(id: "${id}") { ${inner} } }`);
    expect(mixed.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'depth' });
  });

  it('a 1.1 MB query of aliases is refused by its length', async () => {
    const query = `{ ${Array.from({ length: 40_000 }, (_, i) => `a${i}: directories { name }`).join(' ')} }`;
    expect(query.length).toBeGreaterThan(1_000_000);
    const answer = await send(query);
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      limit: 'queryBytes',
      max: DEFAULT_LIMITS.queryBytes,
      measured: query.length,
    });
    expectBounded(answer);
  });

  it('selection nesting 10,000 deep is a 400 (tokens), not a 500', async () => {
    const query = `${'{ a '.repeat(10_000)}${'} '.repeat(10_000)}`.slice(0, 30_000);
    const answer = await send(query);
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      limit: 'tokens',
      max: DEFAULT_LIMITS.tokens,
    });
    expect(answer.body.errors?.[0]?.extensions?.measured).toBeGreaterThan(DEFAULT_LIMITS.tokens);
    expectBounded(answer);
  });

  it('500 aliases of one ZITADEL list (33 KB) are refused, with no upstream call', async () => {
    const query = `{ ${Array.from({ length: 500 }, (_, i) => `l${i}: users(first: 1, directories: ["corp"]) { totalCount }`).join(' ')} }`;
    const answer = await send(query);
    // Its 8,000 tokens are over that limit before its aliases are counted.
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'tokens' });
    expect(upstream()).toBe(0);
    expectBounded(answer);
  });

  it('aliases are limited on their own', async () => {
    const answer = await send(
      `{ directories { ${Array.from({ length: 31 }, (_, i) => `n${i}: name`).join(' ')} } }`,
    );
    expect(answer.body.errors?.[0]?.extensions).toEqual({
      code: 'QUERY_TOO_COMPLEX',
      limit: 'aliases',
      max: DEFAULT_LIMITS.aliases,
      measured: 31,
      requestId: expect.any(String),
    });
  });

  it('directives and root fields are limited too', async () => {
    const directives = await send(
      `{ directories @include(if: true) { ${Array.from({ length: 25 }, () => 'name @include(if: true)').join(' ')} } }`,
    );
    expect(directives.body.errors?.[0]?.extensions).toMatchObject({ limit: 'directives', measured: 26 });
    const roots = await send(`{ ${Array.from({ length: 16 }, (_, i) => `d${i}: __typename`).join(' ')} }`);
    expect(roots.body.errors?.map((e) => e.extensions?.limit)).toContain('rootFields');
  });
});

describe('the upstream-call budget', () => {
  it('20 aliases × 100 emails pass no more: the cap counts emails as sent per operation, duplicates too', async () => {
    const emails = (from: number, length = 60) =>
      Array.from({ length }, (_, i) => `person${from + i}@example.com`);
    const query =
      'query ($a: [String!]!, $b: [String!]!) { a: usersByEmail(emails: $a) { email } b: usersByEmail(emails: $b) { email } }';
    const fits = await send(query, { a: emails(0, 50), b: emails(50, 50) });
    expect(fits.body.errors).toBeUndefined();
    stack.sims.resetAll();
    // 80 distinct addresses, 120 sent.
    const over = await send(query, { a: emails(0), b: emails(20) });
    expect(over.body.errors?.[0]?.extensions).toEqual({
      code: 'OPERATION_TOO_EXPENSIVE',
      limit: 'emails',
      max: DEFAULT_LIMITS.emails,
      measured: 120,
      requestId: expect.any(String),
    });
    expect(upstream()).toBe(0);
    const twenty = await send(
      `query ($a: [String!]!) { ${Array.from({ length: 20 }, (_, i) => `u${i}: usersByEmail(emails: $a) { email }`).join(' ')} }`,
      { a: emails(0) },
    );
    expect(twenty.body.errors?.[0]?.extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      limit: 'rootFields',
    });
  });

  it('refuses before any upstream call when the estimate is over maxUpstreamCalls, naming the directories', async () => {
    const answer = await send(
      '{ users(first: 100) { nodes { linkedAccounts { user { linkedAccounts { matchedEmail } } } } } }',
    );
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({
      code: 'OPERATION_TOO_EXPENSIVE',
      limit: 'maxUpstreamCalls',
      max: DEFAULT_LIMITS.maxUpstreamCalls,
      estimate: { acme: expect.any(Number), corp: expect.any(Number), mobile: expect.any(Number) },
    });
    expect(answer.body.errors?.[0]?.extensions?.measured).toBeGreaterThan(DEFAULT_LIMITS.maxUpstreamCalls);
    expect(upstream()).toBe(0);
  });

  it('tells a client the cost: a dry run sends nothing; extensions.cost has the estimate and the actual calls', async () => {
    const ids = stack.ids.zitadel.slice(0, 10).map((id) => encodeUserId('corp', id));
    const query = 'query ($ids: [ID!]!) { nodes(ids: $ids) { ... on User { passkeys { name } } } }';
    const dry = await send(query, { ids }, { cost: 'dry-run' });
    expect(dry.body.data).toBeNull();
    expect(dry.body.extensions?.cost).toEqual({
      estimate: { corp: 11 },
      total: 11,
      max: DEFAULT_LIMITS.maxUpstreamCalls,
    });
    expect(upstream()).toBe(0);
    const real = await send(query, { ids }, { cost: true });
    expect(real.body.extensions?.cost).toEqual({
      estimate: { corp: 11 },
      total: 11,
      max: DEFAULT_LIMITS.maxUpstreamCalls,
      actual: { corp: 11 },
    });
    expect(stack.sims.zitadel.count()).toBe(11);
  });

  it('106 bytes of passkeys and identities for 100 users is bounded by its estimate', async () => {
    const answer = await send(
      '{ users(first: 100) { nodes { passkeys { name } identities { provider } } } }',
      undefined,
      {
        cost: true,
      },
    );
    const cost = answer.body.extensions?.cost as {
      estimate: Record<string, number>;
      actual: Record<string, number>;
    };
    expect(cost.actual.corp).toBeLessThanOrEqual(cost.estimate.corp ?? 0);
    expect(stack.sims.zitadel.count()).toBe(cost.actual.corp);
    expectBounded(answer);
  });

  it('a forged cursor is BAD_USER_INPUT: cursors are signed', async () => {
    const forged = Buffer.from(
      JSON.stringify({
        v: 2,
        o: 'ASC',
        k: 'x',
        p: { acme: [{ p: 'monocloud', d: 'ASC', f: '', a: 200000 }, 0] },
      }),
    ).toString('base64url');
    const answer = await send(
      `{ users(first: 5, after: "${forged}.AAAAAAAAAAAAAAAAAAAAAA") { totalCount } }`,
    );
    expect(answer.body.errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      argument: 'after',
      requestId: expect.any(String),
    });
    expect(upstream()).toBe(0);
  });
});

describe('server timeouts', () => {
  it('closes a socket that trickles its headers within the headers timeout', async () => {
    const server = createHttpServer(stack.app.http.listener, serverSettings.parse({ headersTimeoutMs: 500 }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const socket = connect(port, '127.0.0.1');
      const started = Date.now();
      const closed = new Promise<number>((resolve) =>
        socket.on('close', () => resolve(Date.now() - started)),
      );
      socket.on('error', () => {});
      socket.write('POST /graphql HTTP/1.1\r\nHost: x\r\n');
      const trickle = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 100);
      const after = await closed;
      clearInterval(trickle);
      expect(after).toBeLessThan(2_000);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
