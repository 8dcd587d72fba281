import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/auth/api-keys.js';
import { Authenticator } from '../../src/auth/authenticator.js';
import { authSettings } from '../../src/auth/settings.js';
import { encodeUserId } from '../../src/directory/global-id.js';
import { parseManifest, sha256Hex } from '../../src/documents/manifest.js';
import { TrustedDocuments, TrustedDocumentsError } from '../../src/documents/trusted-documents.js';
import { buildSchema } from '../../src/schema/index.js';
import { Stack } from '../support/stack.js';

// Trusted documents: manifests as GraphQL Code Generator's client preset and Apollo's persisted query
// list write them, requests by `documentId` and by Apollo's `persistedQuery` hash, `only` and `prefer`
// modes, and documents prepared at load (compiled there, so a request never pays a compile).

const NAMES = 'query Names($ids: [ID!]!) { nodes(ids: $ids) { id ... on User { displayName } } }';
/** Nested through `User` four times: graphql-jit takes ~200 ms to compile it (bench/jit-probe.ts). */
const DEEP = `query Deep($ids: [ID!]!) { nodes(ids: $ids) { ...L0 } }
fragment L0 on User { a: directory { user(id: "x") { ...L1 } } b: directory { user(id: "y") { ...L1 } } c: directory { user(id: "z") { ...L1 } } }
fragment L1 on User { a: directory { user(id: "x") { ...L2 } } b: directory { user(id: "y") { ...L2 } } }
fragment L2 on User { a: directory { user(id: "x") { ...L3 } } b: directory { user(id: "y") { ...L3 } } }
fragment L3 on User { id displayName }`;

const clientPreset = JSON.stringify({ [sha256Hex(NAMES)]: NAMES });
const apolloList = JSON.stringify({
  format: 'apollo-persisted-query-manifest',
  version: 1,
  operations: [{ id: sha256Hex(DEEP), name: 'Deep', type: 'query', body: DEEP }],
});

const reader = generateApiKey();
const explorer = generateApiKey();
const authenticator = () =>
  new Authenticator(
    authSettings.parse({
      apiKeys: [
        { name: 'app', sha256: reader.sha256, scopes: ['users:read'] },
        { name: 'explorer', sha256: explorer.sha256, scopes: ['users:read', 'documents:arbitrary'] },
      ],
    }),
  );

function manifestEntries() {
  const one = parseManifest(clientPreset, 'client-preset.json');
  const two = parseManifest(apolloList, 'apollo.json');
  expect([...one.problems, ...two.problems]).toEqual([]);
  return [...one.entries, ...two.entries];
}

async function post(stack: Stack, body: Record<string, unknown>, key = reader.key) {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const response = await stack.app.fetch('http://usergraph.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as {
    data?: { nodes?: { id: string; displayName?: string | null }[] } | null;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  delay.disable();
  return { status: response.status, ...answer, maxDelayMs: delay.max / 1e6 };
}

describe('in `only` mode', () => {
  let stack: Stack;
  let ids: string[];
  beforeAll(async () => {
    stack = await Stack.start({
      perDirectory: 3,
      security: { authenticator: authenticator() },
      trustedDocuments: { mode: 'only', entries: manifestEntries() },
    });
    ids = [
      encodeUserId('acme', stack.ids.monocloud[0] ?? ''),
      encodeUserId('corp', stack.ids.zitadel[0] ?? ''),
    ];
  });
  afterAll(() => stack.close());

  it('runs a document named by documentId, with or without the sha256: prefix', async () => {
    for (const documentId of [sha256Hex(NAMES), `sha256:${sha256Hex(NAMES)}`]) {
      const answer = await post(stack, { documentId, variables: { ids } });
      expect(answer.errors).toBeUndefined();
      expect(answer.data?.nodes?.map((node) => node.id)).toEqual(ids);
    }
  });

  it('runs a document named as Apollo Client names it (extensions.persistedQuery)', async () => {
    const answer = await post(stack, {
      variables: { ids },
      extensions: { persistedQuery: { version: 1, sha256Hash: sha256Hex(NAMES) } },
    });
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.nodes).toHaveLength(2);
  });

  it('runs a trusted document sent as text (Apollo’s retry with the query, or a client without ids)', async () => {
    const answer = await post(stack, { query: NAMES, variables: { ids } });
    expect(answer.errors).toBeUndefined();
  });

  it('refuses any other document, and an unknown id, with coded 400s that say what to do', async () => {
    const arbitrary = await post(stack, { query: '{ directories { name } }' });
    expect(arbitrary.status).toBe(400);
    expect(arbitrary.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_REQUIRED');
    expect(arbitrary.errors?.[0]?.message).toContain('documents:arbitrary');
    // Apollo's automatic persisted queries would register a new document this way: not here.
    const registering = await post(stack, {
      query: '{ directories { name } }',
      extensions: { persistedQuery: { version: 1, sha256Hash: sha256Hex('{ directories { name } }') } },
    });
    expect(registering.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_REQUIRED');
    const unknown = await post(stack, { documentId: 'f'.repeat(64) });
    expect(unknown.status).toBe(400);
    expect(unknown.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('lets a principal with documents:arbitrary send any document (GraphiQL)', async () => {
    const answer = await post(stack, { query: '{ directories { name } }' }, explorer.key);
    expect(answer.errors).toBeUndefined();
  });

  it('compiled a large trusted document at load: its first request holds the event loop briefly', async () => {
    const answer = await post(stack, { documentId: sha256Hex(DEEP), variables: { ids: [ids[0]] } });
    expect(answer.errors).toBeUndefined();
    expect(answer.maxDelayMs).toBeLessThan(50);
  });
});

describe('in `prefer` mode', () => {
  it('serves arbitrary documents too', async () => {
    const stack = await Stack.start({
      perDirectory: 2,
      security: { authenticator: authenticator() },
      trustedDocuments: { mode: 'prefer', entries: manifestEntries() },
    });
    try {
      expect((await post(stack, { query: '{ directories { name } }' })).errors).toBeUndefined();
      expect(
        (await post(stack, { documentId: sha256Hex(NAMES), variables: { ids: [] } })).errors,
      ).toBeUndefined();
    } finally {
      await stack.close();
    }
  });
});

describe('manifests', () => {
  it('every operation of a trusted document is compiled at load, however large', () => {
    const store = TrustedDocuments.prepare(buildSchema(), manifestEntries(), { jit: true });
    expect(store.size).toBe(2);
    const deep = store.get(sha256Hex(DEEP));
    expect(deep).toBeDefined();
    expect(store.compiledFor(deep as NonNullable<typeof deep>, 'Deep')?.query).toBeTypeOf('function');
    expect(store.compiledFor(deep as NonNullable<typeof deep>, undefined)?.query).toBeTypeOf('function');
  });

  it('a document that does not validate is refused at load, by id, with the reason', () => {
    const bad = '{ directories { nom } }';
    expect(() =>
      TrustedDocuments.prepare(buildSchema(), [{ id: sha256Hex(bad), body: bad }], { jit: true }),
    ).toThrow(TrustedDocumentsError);
    try {
      TrustedDocuments.prepare(buildSchema(), [{ id: 'bad', body: bad }], { jit: true });
    } catch (error) {
      expect((error as TrustedDocumentsError).problems).toEqual([
        'document bad: does not validate against the schema (Cannot query field "nom" on type "Directory". Did you mean "name"?)',
      ]);
    }
  });

  it('an id shaped like a SHA-256 must be its body’s, and ids are bounded', () => {
    const text = JSON.stringify({
      [sha256Hex('{ a }')]: '{ b }',
      'x y': '{ c }',
      ok: '{ directories { name } }',
    });
    const { entries, problems } = parseManifest(text, 'm.json');
    expect(entries.map((entry) => entry.id)).toEqual(['ok']);
    expect(problems).toHaveLength(2);
    expect(parseManifest('[1]', 'm.json').problems[0]).toContain('neither');
  });
});
