import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { cacheExchange, fetchExchange, Client as UrqlClient } from '@urql/core';
import { print } from 'graphql';
import { GraphQLClient } from 'graphql-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/auth/api-keys.js';
import { Authenticator } from '../../src/auth/authenticator.js';
import { authSettings } from '../../src/auth/settings.js';
import { serverSettings } from '../../src/config/config.js';
import { encodeUserId } from '../../src/directory/global-id.js';
import { createHttpServer } from '../../src/server/http-server.js';
import { TestIssuer } from '../support/issuer.js';
import { Stack } from '../support/stack.js';
import {
  ClientUserActivityDocument,
  type ClientUserActivityQuery,
  ClientUsersPageDocument,
  type ClientUsersPageQuery,
} from './generated/graphql.js';

// The clients people use, on their default settings, against usergraph in production mode over real
// HTTP on 127.0.0.1, with an API key and with a JWT: Apollo Client 4 (HttpLink; with the shipped
// possibleTypes; its persisted-queries link against trusted documents), urql 6 (default exchanges and
// GET preference; and POST), graphql-request, and a plain fetch as Relay's network layer sends it. Typed
// documents from GraphQL Code Generator's client preset (test/clients/generated, `npm run codegen`).

const key = generateApiKey();
const possibleTypes = (
  JSON.parse(readFileSync(new URL('../../schema/possible-types.json', import.meta.url), 'utf8')) as {
    possibleTypes: Record<string, string[]>;
  }
).possibleTypes;

let issuer: TestIssuer;
let stack: Stack;
let server: Server;
let url: string;
const accessLines: string[] = [];

const production = (authenticator: Authenticator) => ({
  authenticator,
  graphiql: false,
  introspection: false,
  blockSuggestions: true,
});

beforeAll(async () => {
  issuer = await TestIssuer.start();
  stack = await Stack.start({
    perDirectory: 20,
    security: production(
      new Authenticator(
        authSettings.parse({
          jwt: { issuer: issuer.url, audience: 'usergraph' },
          claims: { scopes: ['scope'] },
          // A support tool's key: names and emails, not sign-in activity.
          apiKeys: [{ name: 'support', sha256: key.sha256, scopes: ['users:read', 'users:read:contact'] }],
        }),
      ),
    ),
    log: (await import('pino')).default({ level: 'info' }, {
      write: (line: string) => accessLines.push(line),
    } as unknown as NodeJS.WritableStream),
  });
  server = createHttpServer(stack.app.http.listener, serverSettings.parse({}));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await stack.close();
  await issuer.close();
});

const apiKey = () => ({ 'x-api-key': key.key });
const jwt = async () => ({
  authorization: `Bearer ${await issuer.sign({ sub: 'desk@example.com', scope: 'users:read users:read:contact' })}`,
});

/** What every client must read from the first page: users with their emails, through `... on User`. */
function expectPage(page: ClientUsersPageQuery['users'] | undefined) {
  expect(page?.nodes).toHaveLength(5);
  for (const user of page?.nodes ?? []) {
    // Read through `... on User`: the fragment's fields are there (a machine user has no name).
    expect(user?.id).toEqual(expect.any(String));
    expect(user && 'displayName' in user).toBe(true);
    expect(Array.isArray(user?.emails)).toBe(true);
  }
  expect(page?.pageInfo.hasNextPage).toBe(true);
  expect(page?.pageInfo.endCursor).toEqual(expect.any(String));
}

describe.each([
  ['an API key', async () => apiKey()],
  ['a JWT', jwt],
])('with %s', (_name, headers) => {
  it('Apollo Client 4 (HttpLink, InMemoryCache with the shipped possibleTypes) reads users through an interface fragment and pages', async () => {
    const client = new ApolloClient({
      link: new HttpLink({ uri: url, headers: await headers() }),
      cache: new InMemoryCache({ possibleTypes }),
    });
    const first = await client.query({ query: ClientUsersPageDocument, variables: { first: 5 } });
    expectPage(first.data?.users);
    const second = await client.query({
      query: ClientUsersPageDocument,
      variables: { first: 5, after: first.data?.users?.pageInfo.endCursor },
    });
    expect(second.data?.users?.nodes.map((user) => user?.id)).not.toEqual(
      first.data?.users?.nodes.map((user) => user?.id),
    );
  });

  it('urql 6 with its default exchanges and GET preference reads on the first try; and with POST', async () => {
    for (const preferGetMethod of ['within-url-limit', false] as const) {
      const client = new UrqlClient({
        url,
        exchanges: [cacheExchange, fetchExchange],
        preferGetMethod,
        fetchOptions: { headers: await headers() },
      });
      const result = await client.query(ClientUsersPageDocument, { first: 5 }).toPromise();
      expect(result.error).toBeUndefined();
      expectPage(result.data?.users);
    }
  });

  it('graphql-request reads a page and the next one', async () => {
    const client = new GraphQLClient(url, { headers: await headers() });
    const first = await client.request(ClientUsersPageDocument, { first: 5 });
    expectPage(first.users);
    const second = await client.request(ClientUsersPageDocument, {
      first: 5,
      after: first.users?.pageInfo.endCursor,
    });
    expect(second.users?.nodes).toHaveLength(5);
  });

  it('a plain fetch, as Relay’s network layer sends it, gets FORBIDDEN with its code on a field outside the scopes, and the rest', async () => {
    const id = encodeUserId('acme', stack.ids.monocloud[0] ?? '');
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...(await headers()) },
      body: JSON.stringify({ query: print(ClientUserActivityDocument), variables: { id } }),
    });
    const body = (await response.json()) as {
      data: ClientUserActivityQuery;
      errors: { path: string[]; extensions: { code: string; scope: string } }[];
    };
    expect(body.data.user?.displayName).toEqual(expect.any(String));
    expect(body.data.user?.lastSignInAt).toBeNull();
    expect(body.errors[0]).toMatchObject({
      path: ['user', 'lastSignInAt'],
      extensions: { code: 'FORBIDDEN', scope: 'users:read:activity' },
    });
  });
});

describe('Apollo Client’s possibleTypes', () => {
  it('without it, an interface fragment reads nothing (why schema/possible-types.json ships); with it, every field', async () => {
    const bare = new ApolloClient({
      link: new HttpLink({ uri: url, headers: apiKey() }),
      cache: new InMemoryCache(),
    });
    const { data } = await bare.query({ query: ClientUsersPageDocument, variables: { first: 5 } });
    // Apollo Client cannot tell that MonoCloudUser is a User: the fragment's fields are left out.
    const node = data?.users?.nodes[0] as Record<string, unknown> | undefined;
    expect(node !== undefined && 'displayName' in node).toBe(false);
    const shipped = new ApolloClient({
      link: new HttpLink({ uri: url, headers: apiKey() }),
      cache: new InMemoryCache({ possibleTypes }),
    });
    expectPage(
      (await shipped.query({ query: ClientUsersPageDocument, variables: { first: 5 } })).data?.users,
    );
  });
});

describe('Apollo Client’s persisted-queries link against trusted documents', () => {
  it('falls back to the text where none are kept, and in `only` mode runs the manifest’s hash without the text', async () => {
    const sha256 = async (text: string) => {
      const { createHash } = await import('node:crypto');
      return createHash('sha256').update(text).digest('hex');
    };
    const security = () =>
      production(
        new Authenticator(
          authSettings.parse({
            apiKeys: [{ name: 'support', sha256: key.sha256, scopes: ['users:read', 'users:read:contact'] }],
          }),
        ),
      );
    const through = (target: Stack, bodies: string[]) =>
      new ApolloClient({
        link: ApolloLink.from([
          new PersistedQueryLink({ sha256 }),
          new HttpLink({
            uri: 'http://usergraph.test/graphql',
            headers: apiKey(),
            fetch: async (input, init) => {
              bodies.push(String(init?.body));
              return target.app.fetch(new Request(String(input), init as RequestInit));
            },
          }),
        ]),
        cache: new InMemoryCache({ possibleTypes }),
      });
    // A server without trusted documents says so in the link's words: the link sends the text instead.
    const plain = new ApolloClient({
      link: ApolloLink.from([
        new PersistedQueryLink({ sha256 }),
        new HttpLink({ uri: url, headers: apiKey() }),
      ]),
      cache: new InMemoryCache({ possibleTypes }),
    });
    expectPage((await plain.query({ query: ClientUsersPageDocument, variables: { first: 5 } })).data?.users);
    // What the link hashes is the document as Apollo Client sends it (with __typename): learnt once from
    // the link's own retry with the text, as `generate-persisted-query-manifest` would make it.
    const learning = await Stack.start({
      perDirectory: 20,
      security: security(),
      trustedDocuments: { mode: 'prefer', entries: [] },
    });
    const sent: { hash: string; query: string }[] = [];
    try {
      const bodies: string[] = [];
      const page = await through(learning, bodies).query({
        query: ClientUsersPageDocument,
        variables: { first: 5 },
      });
      expectPage(page.data?.users);
      for (const text of bodies) {
        const body = JSON.parse(text) as {
          query?: string;
          extensions?: { persistedQuery?: { sha256Hash: string } };
        };
        if (body.query && body.extensions?.persistedQuery) {
          sent.push({ hash: body.extensions.persistedQuery.sha256Hash, query: body.query });
        }
      }
    } finally {
      await learning.close();
    }
    expect(sent).toHaveLength(1);
    const trusted = await Stack.start({
      perDirectory: 20,
      security: security(),
      trustedDocuments: { mode: 'only', entries: sent.map(({ hash, query }) => ({ id: hash, body: query })) },
    });
    try {
      const bodies: string[] = [];
      const page = await through(trusted, bodies).query({
        query: ClientUsersPageDocument,
        variables: { first: 5 },
      });
      expectPage(page.data?.users);
      // One request, the hash alone: the text never left the client.
      expect(bodies).toHaveLength(1);
      expect(JSON.parse(bodies[0] ?? '{}').query).toBeUndefined();
    } finally {
      await trusted.close();
    }
  });
});

describe('GET requests', () => {
  it('never put a query string or a variable in the access log', async () => {
    accessLines.length = 0;
    const client = new UrqlClient({
      url,
      exchanges: [cacheExchange, fetchExchange],
      fetchOptions: { headers: apiKey() },
    });
    await client.query(ClientUsersPageDocument, { first: 5, after: 'c2VjcmV0LWN1cnNvcg' }).toPromise();
    const access = accessLines.filter((line) => line.includes('"path"'));
    expect(access.length).toBeGreaterThan(0);
    for (const line of accessLines) {
      expect(line).not.toContain('c2VjcmV0LWN1cnNvcg');
      expect(line).not.toContain('query=');
      expect(line).not.toContain('variables');
    }
  });
});
