import fc from 'fast-check';
import { LRUCache } from 'lru-cache';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateApiKey } from '../../src/auth/api-keys.js';
import { Authenticator } from '../../src/auth/authenticator.js';
import { authSettings } from '../../src/auth/settings.js';
import { parseManifest, sha256Hex } from '../../src/documents/manifest.js';
import type { TrustedMode } from '../../src/documents/trusted-documents.js';
import { createLane } from '../../src/server/graphql-lane.js';
import { type BothWays, serveBothWays } from '../support/both-ways.js';
import { Stack } from '../support/stack.js';

// The lane (src/server/graphql-lane.ts) must answer every request exactly as Yoga does: the same app
// served twice, once through its listener (the lane for what it takes, Yoga for the rest) and once as
// Yoga alone; every generated request goes to both and the answers are compared whole — status, every
// header but the date, and the body, with the request ids (random per request) set aside. Three times:
// without trusted documents, and with them in `prefer` and in `only` mode (bodies naming documents by
// `documentId` and by Apollo's persistedQuery hash, known and unknown, and trusted texts).

const key = generateApiKey();
const readOnly = generateApiKey();

async function start(
  trusted: TrustedMode | null,
): Promise<{ stack: Stack; served: BothWays; authenticator: Authenticator }> {
  const authenticator = new Authenticator(
    authSettings.parse({
      apiKeys: [
        {
          name: 'admin',
          sha256: key.sha256,
          scopes: [
            'users:read',
            'users:read:contact',
            'schema:introspect',
            'users:write:suspend',
            'documents:arbitrary',
          ],
        },
        { name: 'reader', sha256: readOnly.sha256, scopes: ['users:read'] },
      ],
    }),
  );
  const stack = await Stack.start({
    perDirectory: 5,
    security: { authenticator, introspection: false },
    limits: { depth: 6 },
    ...(trusted === null ? {} : { trustedDocuments: { mode: trusted, entries: manifest() } }),
  });
  return { stack, served: await serveBothWays(stack.app), authenticator };
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

async function send(url: string, headers: Record<string, string>, body: string): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers, body });
  const answer: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'date' && name !== 'keep-alive' && name !== 'connection')
      answer[name] = value.replace(UUID, 'ID');
  });
  return { status: response.status, headers: answer, body: (await response.text()).replace(UUID, 'ID') };
}

/** The lane's answer (asked twice: the first time a document is new and goes through Yoga) and Yoga's. */
async function both(
  served: BothWays,
  headers: Record<string, string>,
  body: string,
): Promise<[Answer, Answer]> {
  await send(served.laneUrl, headers, body);
  return [await send(served.laneUrl, headers, body), await send(served.yogaUrl, headers, body)];
}

const QUERIES = [
  '{ directories { name provider } }',
  'query Some($first: Int!) { users(first: $first) { nodes { id displayName emails { address } } } }',
  'query One($id: ID!) { user(id: $id) { id displayName } }',
  '{ users(first: 2) { nodes { id } } } query Other { directories { name } }',
  '{ nope }',
  '{ directories { name ',
  '{ a: directories { b: directories { name } } }',
  '{ __schema { types { name } } }',
  '{ users(first: 1) { nodes { friends { friends { friends { friends { friends { id } } } } } } } }',
  'mutation { suspendPerson(input: { personId: "x", reason: "test" }) { outcome } }',
  'subscription { changes { id } }',
];

/** The manifest's documents: two of the queries above, and one no request sends as text. */
const TRUSTED = [QUERIES[1] as string, QUERIES[2] as string, '{ directories { provider } }'];
const manifest = () => {
  const parsed = parseManifest(
    JSON.stringify(Object.fromEntries(TRUSTED.map((text) => [sha256Hex(text), text]))),
    'manifest.json',
  );
  expect(parsed.problems).toEqual([]);
  return parsed.entries;
};
const ids = TRUSTED.map(sha256Hex);

/** Mostly what clients send every day, the rest anything Yoga has an answer for. */
const often = <T>(common: fc.Arbitrary<T>, rare: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 3, arbitrary: common }, { weight: 1, arbitrary: rare });

const bodies = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .record(
        {
          query: fc.constantFrom(...QUERIES),
          variables: fc.constantFrom<unknown>({ first: 2 }, { id: 'bm9wZQ' }, {}, null),
          operationName: fc.constantFrom<unknown>('Some', 'Other', null),
        },
        { requiredKeys: ['query'] },
      )
      .map((params) => JSON.stringify(params)),
  },
  {
    weight: 1,
    arbitrary: fc
      .record(
        {
          query: fc.constantFrom<unknown>(...QUERIES, 7, null),
          variables: fc.constantFrom<unknown>({ first: 'two' }, [1], 'x'),
          operationName: fc.constantFrom<unknown>('Missing', 7),
          extensions: fc.constantFrom<unknown>({ persistedQuery: { version: 1, sha256Hash: 'abc' } }, {}),
          extra: fc.constant(1),
        },
        { requiredKeys: [] },
      )
      .map((params) => JSON.stringify(params)),
  },
  {
    // Documents named rather than sent (Yoga refuses `documentId` without trusted documents).
    weight: 2,
    arbitrary: fc
      .record(
        {
          documentId: fc.constantFrom<unknown>(...ids, `sha256:${ids[2]}`, 'f'.repeat(64), 7),
          query: fc.constantFrom<unknown>(TRUSTED[0], QUERIES[0], null),
          variables: fc.constantFrom<unknown>({ first: 2, id: 'bm9wZQ' }, null),
          operationName: fc.constantFrom<unknown>('Some', 'One', null),
          extensions: fc.constantFrom<unknown>(
            { persistedQuery: { version: 1, sha256Hash: ids[1] } },
            { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } },
            { persistedQuery: { version: 2, sha256Hash: ids[0] } },
            { cost: true },
            { clientLibrary: { name: '@apollo/client', version: '4.0.0' } },
            [],
          ),
        },
        { requiredKeys: [] },
      )
      .map((params) => JSON.stringify(params)),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      'null',
      '[]',
      '[{"query":"{ directories { name } }"}]',
      '{"query": 1}',
      '{',
      '"x"',
    ),
  },
);

const requests = fc.record({
  contentType: often(
    fc.constantFrom<string | undefined>('application/json', 'application/json; charset=utf-8'),
    fc.constantFrom<string | undefined>(
      'APPLICATION/JSON',
      'application/json; charset=iso-8859-1',
      'text/plain',
      'application/graphql',
      undefined,
    ),
  ),
  accept: often(
    fc.constantFrom<string | undefined>(
      undefined,
      'application/json',
      'application/graphql-response+json',
      'application/graphql-response+json, application/json',
      'application/graphql-response+json,application/json;q=0.9',
    ),
    fc.constantFrom<string | undefined>(
      '',
      '*/*',
      'application/json;charset=iso-8859-1, application/graphql-response+json',
      'text/event-stream',
      '*/json',
      'application/*',
      'text/html',
    ),
  ),
  credential: fc.constantFrom<'admin' | 'reader' | 'wrong' | 'none'>(
    'admin',
    'admin',
    'reader',
    'wrong',
    'none',
  ),
  requestId: fc.constantFrom<string | undefined>(undefined, 'req-1', 'bad id with spaces'),
  body: bodies,
});

describe.each([
  ['without trusted documents', null],
  ['with trusted documents preferred', 'prefer'],
  ['with trusted documents only', 'only'],
] as const)('the lane answers as Yoga does %s', (_, trusted) => {
  let stack: Stack;
  let served: BothWays;
  let authenticator: Authenticator;
  beforeAll(async () => {
    ({ stack, served, authenticator } = await start(trusted));
  });
  afterAll(async () => {
    await served?.close();
    await stack?.close();
  });

  it('for the requests clients send every day', async () => {
    const headers = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      'x-api-key': key.key,
    };
    const counts = stack.app.http.lane;
    const variables = { first: 2, id: 'bm9wZQ' };
    const bodies: Record<string, unknown>[] = QUERIES.slice(0, 3).map((query) => ({ query, variables }));
    // With trusted documents, clients name them: GraphQL Code Generator and Hive by `documentId`,
    // Apollo Client by its persistedQuery hash.
    if (trusted !== null)
      bodies.push(
        { documentId: ids[0], variables },
        { documentId: `sha256:${ids[1]}`, variables },
        { extensions: { persistedQuery: { version: 1, sha256Hash: ids[2] } } },
      );
    for (const body of bodies) {
      const before = counts.lane;
      const [viaLane, viaYoga] = await both(served, headers, JSON.stringify(body));
      expect(viaLane).toEqual(viaYoga);
      expect(viaLane.status).toBe(200);
      // The second time, at least, the lane answered it.
      expect(counts.lane).toBeGreaterThan(before);
    }
    // The lane asks for the credentials once, before the body; the auth hook takes its principal.
    const asked = vi.spyOn(authenticator, 'authenticate');
    const before = counts.lane;
    await send(served.laneUrl, headers, JSON.stringify(bodies[0]));
    expect(counts.lane - before).toBe(1);
    expect(asked).toHaveBeenCalledTimes(1);
    asked.mockRestore();
  });

  // Only in `only` mode (declared there alone: a test skipped elsewhere would read as a failure).
  if (trusted === 'only')
    it('refuses in the lane, as Yoga does, a text outside the manifest from a caller without documents:arbitrary', async () => {
      const counts = stack.app.http.lane;
      const body = JSON.stringify({ query: QUERIES[0] });
      const headers = { 'content-type': 'application/json', accept: 'application/json' };
      // Parsed once for a caller who may send it: from then on the lane takes the text.
      await both(served, { ...headers, 'x-api-key': key.key }, body);
      const before = counts.lane;
      const [viaLane, viaYoga] = await both(served, { ...headers, 'x-api-key': readOnly.key }, body);
      expect(viaLane).toEqual(viaYoga);
      expect(viaLane.status).toBe(400);
      expect(JSON.parse(viaLane.body).errors[0].extensions.code).toBe('PERSISTED_QUERY_REQUIRED');
      expect(counts.lane - before).toBe(2);
    });

  it('reads no body of a caller whose credentials do not verify: Yoga refuses it unread, as always', async () => {
    const counts = stack.app.http.lane;
    const body = JSON.stringify({ query: QUERIES[0] });
    const headers = { 'content-type': 'application/json', accept: 'application/json' };
    const credentials: Record<string, string>[] = [
      { 'x-api-key': 'ug_wrong' },
      {},
      { authorization: 'Bearer nope' },
    ];
    for (const credential of credentials) {
      const before = { ...counts };
      const [viaLane, viaYoga] = await both(served, { ...headers, ...credential }, body);
      expect(viaLane.status).toBe(401);
      expect(viaLane).toEqual(viaYoga);
      expect(counts.yoga - before.yoga).toBe(2);
      expect(counts.replayed).toBe(before.replayed);
      expect(counts.lane).toBe(before.lane);
    }
  });

  it('for any generated request', async () => {
    const counts = stack.app.http.lane;
    const before = { ...counts };
    await fc.assert(
      fc.asyncProperty(requests, async ({ contentType, accept, credential, requestId, body }) => {
        const headers: Record<string, string> = {};
        if (contentType !== undefined) headers['content-type'] = contentType;
        if (accept !== undefined) headers.accept = accept;
        if (credential === 'admin') headers['x-api-key'] = key.key;
        if (credential === 'reader') headers['x-api-key'] = readOnly.key;
        if (credential === 'wrong') headers['x-api-key'] = 'ug_wrong';
        if (requestId !== undefined) headers['x-request-id'] = requestId;
        const [viaLane, viaYoga] = await both(served, headers, body);
        expect(viaLane).toEqual(viaYoga);
      }),
      { numRuns: Number(process.env.LANE_RUNS ?? 150) },
    );
    // The generator reaches every branch: answered in the lane, handed on unread, handed on after reading.
    expect(counts.lane - before.lane).toBeGreaterThan(5);
    expect(counts.yoga - before.yoga).toBeGreaterThan(5);
    expect(counts.replayed - before.replayed).toBeGreaterThan(5);
  }, 120_000);

  it('refuses at start a plugin that would add hooks the lane cannot see', () => {
    expect(() =>
      createLane(stack.app as never, [{ onPluginInit: () => {} }], {
        documents: new LRUCache({ max: 1 }),
        queryBytes: 1,
        maxBodyBytes: 1,
        authenticator: null,
        trusted: null,
      }),
    ).toThrow(/onPluginInit/);
  });
});
