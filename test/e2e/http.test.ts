import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeUserId } from '../../src/directory/global-id.js';
import { createApp } from '../../src/server/app.js';
import { startDemo } from '../../src/server/demo.js';
import { buildDirectories } from '../../src/server/directories.js';
import { Stack } from '../support/stack.js';

let stack: Stack;
let server: Server;
let url: string;
beforeAll(async () => {
  // GET is off by default (CSRF); graphql-http's audits also exercise GET, so this server turns it on.
  stack = await Stack.start({ perDirectory: 10, security: { allowGet: true } });
  server = createServer(stack.app.http.listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await stack.close();
});

describe('over a real socket', () => {
  it('answers a query', async () => {
    const id = encodeUserId('acme', 'UOtBaOybB6dTpIJNrnkRw');
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({
        query: 'query ($id: ID!) { user(id: $id) { displayName } }',
        variables: { id },
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/graphql-response+json');
    expect(await response.json()).toEqual({ data: { user: { displayName: 'John Doe' } } });
  });

  it('answers /health', async () => {
    const response = await fetch(`${url}/health`);
    expect(response.status).toBe(200);
  });

  it('serves GraphiQL to browsers', async () => {
    const response = await fetch(`${url}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<title>usergraph</title>');
    expect(html).toContain('query Directories');
  });

  it('answers a syntax error as a GraphQL-over-HTTP 400', async () => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: '{ user(id: ' }),
    });
    expect(response.status).toBe(400);
  });
});

describe('graphql-http server audits', () => {
  it('passes every audit', async () => {
    const audits = serverAudits({ url: () => `${url}/graphql`, fetchFn: fetch });
    const results = await Promise.all(
      audits.map(async (audit) => ({ ...(await audit.fn()), name: audit.name })),
    );
    const failed = results.filter((result) => result.status !== 'ok');
    expect(failed.map((result) => `${result.status}: ${result.name}`)).toEqual([]);
    expect(results.length).toBeGreaterThan(30);
  });
});

describe('demo mode', () => {
  it('opens GraphiQL with a query that returns users from all three directories', async () => {
    const demo = await startDemo();
    const registry = buildDirectories(demo.directories);
    try {
      const app = createApp({ logLevel: 'silent', directories: registry, exampleQuery: demo.exampleQuery });
      const page = await (
        await app.fetch('http://demo/graphql', { headers: { accept: 'text/html' } })
      ).text();
      expect(page).toContain('query DemoUsers');
      const response = await app.fetch('http://demo/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: demo.exampleQuery }),
      });
      const result = (await response.json()) as {
        errors?: unknown;
        data: {
          nodes: { __typename: string; directory: { name: string } }[];
          users: { nodes: { directory: { name: string } }[] };
          usersByEmail: { accounts: unknown[] }[];
          acme?: { user: { displayName: string } | null };
          corp?: { user: { displayName: string } | null };
          mobile?: { user: { displayName: string } | null };
        };
      };
      expect(result.errors).toBeUndefined();
      expect(new Set(result.data.nodes.map((node) => node.directory.name))).toEqual(
        new Set(['acme', 'corp', 'mobile']),
      );
      expect(result.data.acme?.user?.displayName).toBe('John Doe');
      expect(result.data.users.nodes).toHaveLength(10);
      expect(result.data.usersByEmail[0]?.accounts.length).toBeGreaterThan(0);
      expect(result.data.corp?.user).not.toBeNull();
      expect(result.data.mobile?.user).not.toBeNull();
    } finally {
      await registry.close();
      await demo.close();
    }
  });
});
