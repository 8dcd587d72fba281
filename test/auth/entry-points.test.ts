import type { GraphQLField } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/auth/api-keys.js';
import { Authenticator } from '../../src/auth/authenticator.js';
import { authSettings } from '../../src/auth/settings.js';
import { encodeGroupId, encodeUserId } from '../../src/directory/global-id.js';
import { buildSchema } from '../../src/schema/index.js';
import { Stack } from '../support/stack.js';

// Every way into a person's data checks what `nodes` checks, before a resolver runs: each root field,
// Apollo Federation's `_entities` and the fields that lead from other objects to users. A principal
// holding every scope but `users:read` (metrics, groups, changes, health) reads no user through any of
// them, and no directory is asked for one.

/** Root fields any authenticated caller may use: they name directories, never users. */
const OPEN_ROOT_FIELDS = new Set(['directories', 'directory']);
/** Root fields that read the schema itself: governed by the introspection policy (`schema:introspect`). */
const SCHEMA_FIELDS = new Set(['_service']);
/** What each root field that reads data needs at least. */
const EXPECTED: Readonly<Record<string, readonly string[]>> = {
  node: ['users:read'],
  nodes: ['users:read'],
  user: ['users:read'],
  users: ['users:read'],
  usersByEmail: ['users:read', 'users:read:contact'],
  changes: ['changes:read'],
  _entities: ['users:read'],
  webhooks: ['webhooks:manage'],
};

const scopesOf = (field: GraphQLField<unknown, unknown>) =>
  (field.extensions?.pothosOptions as { requiredScopes?: readonly string[] } | undefined)?.requiredScopes ??
  [];

describe('the schema', () => {
  for (const federation of [false, true]) {
    it(`${federation ? 'subgraph' : 'plain'}: every root field needs its documented scope, or is listed as open`, () => {
      const fields = Object.values(buildSchema({ federation }).getQueryType()?.getFields() ?? {});
      const unexplained = fields.filter(
        (field) =>
          !OPEN_ROOT_FIELDS.has(field.name) && !SCHEMA_FIELDS.has(field.name) && !(field.name in EXPECTED),
      );
      expect(unexplained.map((field) => field.name)).toEqual([]);
      for (const field of fields) {
        if (field.name in EXPECTED)
          expect([field.name, scopesOf(field)]).toEqual([field.name, EXPECTED[field.name]]);
      }
      if (federation) expect(fields.map((field) => field.name)).toContain('_entities');
    });
  }
});

const everythingButUsers = generateApiKey();
const introspector = generateApiKey();

describe('a principal without users:read, in subgraph mode', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start({
      perDirectory: 5,
      federation: true,
      security: {
        introspection: false,
        authenticator: new Authenticator(
          authSettings.parse({
            apiKeys: [
              {
                name: 'not-a-reader',
                sha256: everythingButUsers.sha256,
                scopes: ['metrics:read', 'groups:read', 'changes:read', 'directories:health', 'roles:read'],
              },
              { name: 'introspector', sha256: introspector.sha256, scopes: ['schema:introspect'] },
            ],
          }),
        ),
      },
    });
    stack.sims.zitadel.access.eventsAllowed = true;
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.sims.resetAll());

  const ask = async (query: string, variables?: unknown, key = everythingButUsers.key) => {
    const response = await stack.app.fetch('http://usergraph.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as {
      data?: Record<string, unknown> | null;
      errors?: { extensions?: { code?: string; scope?: string } }[];
    };
  };
  const userReads = () =>
    stack.sims.monocloud.count('getUser') +
    stack.sims.appServices.count('getUser') +
    stack.sims.zitadel.count('listUsers');

  it.each([
    ['node', () => `{ node(id: "${encodeUserId('acme', stack.ids.monocloud[0] ?? '')}") { id } }`],
    ['nodes', () => `{ nodes(ids: ["${encodeUserId('corp', stack.ids.zitadel[0] ?? '')}"]) { id } }`],
    [
      'user',
      () => `{ user(id: "${encodeUserId('mobile', stack.ids.appServices[0] ?? '')}") { displayName } }`,
    ],
    ['users', () => '{ users(first: 3) { edges { cursor } } }'],
    ['usersByEmail', () => '{ usersByEmail(emails: ["a@example.com"]) { accounts { verified } } }'],
    [
      '_entities',
      () =>
        `{ _entities(representations: [{ __typename: "User", id: "${encodeUserId('acme', stack.ids.monocloud[1] ?? '')}" }]) { ... on User { displayName username status } } }`,
    ],
    ['directory.user', () => `{ directory(name: "acme") { user(id: "${stack.ids.monocloud[0]}") { id } } }`],
    ['directory.users', () => '{ directory(name: "corp") { users(first: 2) { nodes { id } } } }'],
    ['changes → user', () => '{ changes(first: 5) { nodes { kind user { displayName } } } }'],
    [
      'groups → members',
      () => '{ directory(name: "corp") { groups(first: 1) { nodes { members { nodes { id } } } } } }',
    ],
    ['group by id → members', () => `{ node(id: "${encodeGroupId('corp', 'g1')}") { id } }`],
  ])('%s: FORBIDDEN naming users:read, and no directory asked for a user', async (_path, query) => {
    const answer = await ask(query());
    expect(JSON.stringify(answer.data ?? {})).not.toMatch(/displayName|"id":"[^"]/);
    const forbidden = (answer.errors ?? []).filter((error) => error.extensions?.code === 'FORBIDDEN');
    expect(forbidden.length).toBeGreaterThan(0);
    expect(forbidden.every((error) => error.extensions?.scope === 'users:read')).toBe(true);
    expect(userReads()).toBe(0);
  });

  it('_service (the subgraph SDL) needs schema:introspect when introspection is off', async () => {
    const refused = await ask('{ _service { sdl } }');
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', scope: 'schema:introspect' });
    const allowed = await ask('{ _service { sdl } }', undefined, introspector.key);
    expect((allowed.data?._service as { sdl: string }).sdl).toContain('type Query');
  });
});
