import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/auth/api-keys.js';
import { Authenticator } from '../../src/auth/authenticator.js';
import { authSettings } from '../../src/auth/settings.js';
import { Stack } from '../support/stack.js';

// One gate for every route: GraphQL answers at exactly /graphql. Every variant of the path a proxy,
// a URL parser or Yoga's own suffix match might treat as it (trailing and doubled slashes, prefixes,
// query strings, encoded slashes, `..`, case) is either 404 before any GraphQL work or goes through
// authentication like /graphql itself: never parsed, validated or executed for an anonymous caller.

const key = generateApiKey();
const QUERY = JSON.stringify({ query: '{ directories { name } }' });

/** Raw request targets, sent as written (node:http does not normalise them; the fetch API would). */
const VARIANTS = [
  '/graphql/',
  '//graphql',
  '///graphql',
  '/x/graphql',
  '/graphql/x',
  '/?a=/graphql',
  '/x?/graphql',
  '/%2Fgraphql',
  '/%2fgraphql',
  '/graphql%2F',
  '/graphq%6c',
  '/GRAPHQL',
  '/Graphql',
  '/graphql;x',
  '/graphql%00',
  '/graphql.json',
  '/health/../graphql/',
  '/readiness/graphql',
  '/metrics/graphql',
  '/health/graphql',
  '/x/health',
  '/?a=/health',
  '/x/readiness',
  `/${'a/'.repeat(2_000)}graphql`,
];
/** Targets that are /graphql once `..` and `.` are resolved: authenticated like /graphql. */
const SAME = [
  '/graphql',
  '/x/../graphql',
  '/./graphql',
  '/.%2e/graphql',
  '/health/../graphql',
  '/graphql?x=1',
  '/graphql?/health',
  '/graphql#x',
];

async function raw(
  url: string,
  target: string,
  init: { method: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: string }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path: target, method: init.method, headers: init.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

async function serve(stack: Stack): Promise<{ server: Server; url: string }> {
  const server = createServer(stack.app.http.listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('with authentication on, subgraph mode', () => {
  let stack: Stack;
  let server: Server;
  let url: string;
  beforeAll(async () => {
    stack = await Stack.start({
      perDirectory: 2,
      federation: true,
      security: {
        authenticator: new Authenticator(
          authSettings.parse({ apiKeys: [{ name: 'reader', sha256: key.sha256, scopes: ['users:read'] }] }),
        ),
        graphiql: true,
      },
    });
    ({ server, url } = await serve(stack));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await stack.close();
  });

  for (const method of ['POST', 'GET'] as const) {
    it(`${method}: every other path is 404, with no upstream call and no GraphQL work`, async () => {
      for (const target of VARIANTS) {
        const body = method === 'POST' ? QUERY : undefined;
        const query = method === 'GET' ? `${target.includes('?') ? '&' : '?'}query={_service{sdl}}` : '';
        const answer = await raw(url, `${target}${query}`, {
          method,
          headers: { 'content-type': 'application/json', accept: 'text/html, application/json' },
          ...(body === undefined ? {} : { body }),
        });
        expect([target, answer.status]).toEqual([target, 404]);
        expect(JSON.parse(answer.body).errors[0].extensions.code).toBe('NOT_FOUND');
        expect(answer.body).not.toContain('sdl');
        expect(answer.body).not.toContain('<html');
      }
      expect(stack.sims.monocloud.count() + stack.sims.zitadel.count() + stack.sims.appServices.count()).toBe(
        0,
      );
    });
  }

  it('what resolves to /graphql is authenticated like /graphql (401 without credentials, data with them)', async () => {
    for (const target of SAME) {
      const refused = await raw(url, target, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ _service { sdl } }' }),
      });
      expect([target, refused.status]).toEqual([target, 401]);
      expect(refused.body).not.toContain('sdl');
      const allowed = await raw(url, target, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key.key },
        body: QUERY,
      });
      expect([target, allowed.status]).toEqual([target, 200]);
    }
  });

  it('GraphiQL is served at the exact path only', async () => {
    const page = await raw(url, '/graphql', { method: 'GET', headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<html');
    const elsewhere = await raw(url, '/x/graphql', { method: 'GET', headers: { accept: 'text/html' } });
    expect(elsewhere.status).toBe(404);
  });

  it('/health and /readiness answer at their exact paths', async () => {
    expect((await raw(url, '/health', { method: 'GET' })).status).toBe(200);
    expect((await raw(url, '/readiness', { method: 'GET' })).status).toBe(200);
    expect((await raw(url, '/health/', { method: 'GET' })).status).toBe(404);
  });
});

describe('with authentication off (auth.mode: none)', () => {
  let stack: Stack;
  let server: Server;
  let url: string;
  beforeAll(async () => {
    stack = await Stack.start({ perDirectory: 2 });
    ({ server, url } = await serve(stack));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await stack.close();
  });

  it('a cross-site form post executes nowhere: 404 off the path, 415 on it', async () => {
    const form = 'query=%7Bdirectories%7Bname%7D%7D';
    for (const target of [...VARIANTS, ...SAME]) {
      const answer = await raw(url, target, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
      });
      expect([target, answer.status]).toEqual([target, SAME.includes(target) ? 415 : 404]);
      expect(answer.body).not.toContain('"data"');
    }
  });
});
