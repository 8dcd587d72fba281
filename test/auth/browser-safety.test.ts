import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/auth/api-keys.js';
import { Authenticator } from '../../src/auth/authenticator.js';
import { authSettings } from '../../src/auth/settings.js';
import { encodeUserId } from '../../src/directory/global-id.js';
import { Stack } from '../support/stack.js';

// What a browser can and cannot do with usergraph, over a real socket: CORS only for allowed origins,
// only application/json POSTs execute (no form, multipart or text/plain CSRF), GET only when enabled
// and then without personal data, security headers, production introspection, readiness detail.

const ALLOWED = 'https://admin.example.com';
const reader = generateApiKey();
const admin = generateApiKey();

async function serve(stack: Stack): Promise<{ server: Server; url: string }> {
  const server = createServer(stack.app.http.listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function authenticator() {
  return new Authenticator(
    authSettings.parse({
      apiKeys: [
        { name: 'reader', sha256: reader.sha256, scopes: ['users:read', 'users:read:contact'] },
        {
          name: 'admin',
          sha256: admin.sha256,
          scopes: ['users:read', 'directories:health', 'schema:introspect'],
        },
      ],
    }),
  );
}

describe('production settings', () => {
  let stack: Stack;
  let server: Server;
  let url: string;
  beforeAll(async () => {
    stack = await Stack.start({
      perDirectory: 3,
      security: {
        authenticator: authenticator(),
        corsOrigins: [ALLOWED],
        graphiql: false,
        introspection: false,
        blockSuggestions: true,
      },
    });
    ({ server, url } = await serve(stack));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await stack.close();
  });

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': reader.key, ...headers },
      body: JSON.stringify(body),
    });

  it('answers a non-allowed origin without any Access-Control-Allow-Origin, an allowed one with it', async () => {
    const evil = await post({ query: '{ directories { name } }' }, { origin: 'https://evil.example' });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect(evil.headers.get('access-control-allow-credentials')).toBeNull();
    const preflight = await fetch(`${url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const good = await post({ query: '{ directories { name } }' }, { origin: ALLOWED });
    expect(good.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(good.headers.get('access-control-allow-credentials')).toBe('true');
  });

  it('refuses a form-encoded POST, a multipart POST, a text/plain POST and a GET without a credential', async () => {
    const form = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-api-key': reader.key },
      body: 'query=%7B%20directories%20%7B%20name%20%7D%20%7D',
    });
    expect(form.status).toBe(415);
    const multipart = new FormData();
    multipart.set('operations', JSON.stringify({ query: '{ directories { name } }' }));
    const parts = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'x-api-key': reader.key },
      body: multipart,
    });
    expect(parts.status).toBe(415);
    const text = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'x-api-key': reader.key },
      body: JSON.stringify({ query: '{ directories { name } }' }),
    });
    expect(text.status).toBe(415);
    // A GET that carries no credential is what a cross-site page could make a browser send: refused,
    // and the refusal names the fix. One with a credential is preflighted by any browser: served.
    const get = await fetch(`${url}/graphql?query=${encodeURIComponent('{ directories { name } }')}`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('GET, POST');
    expect((await get.json()).errors[0].message).toMatch(/credential.*preferGetMethod: false/);
    const authenticated = await fetch(
      `${url}/graphql?query=${encodeURIComponent('{ directories { name } }')}`,
      {
        headers: { 'x-api-key': reader.key },
      },
    );
    expect(authenticated.status).toBe(200);
  });

  it('sets nosniff, no-store and no-referrer on GraphQL answers', async () => {
    const response = await post({ query: '{ directories { name } }' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('turns introspection off, except for schema:introspect, and hides field suggestions', async () => {
    const denied = await (await post({ query: '{ __schema { queryType { name } } }' })).json();
    expect(denied.errors[0].extensions).toEqual({
      code: 'FORBIDDEN',
      scope: 'schema:introspect',
      requestId: expect.any(String),
    });
    const allowed = await (
      await post({ query: '{ __schema { queryType { name } } }' }, { 'x-api-key': admin.key })
    ).json();
    expect(allowed).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    const typo = await (await post({ query: '{ directoriez { name } }' })).json();
    expect(JSON.stringify(typo)).not.toMatch(/Did you mean/);
  });

  it('serves no GraphiQL page', async () => {
    const page = await fetch(`${url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).not.toBe(200);
    expect(await page.text()).not.toContain('<html');
  });

  it('tells anonymous callers only ready or not; detail needs directories:health', async () => {
    const anonymous = await (await fetch(`${url}/readiness`)).json();
    expect(anonymous).toEqual({ ready: true });
    const withHealth = await (
      await fetch(`${url}/readiness`, { headers: { 'x-api-key': admin.key } })
    ).json();
    expect(withHealth.directories.map((d: { name: string }) => d.name)).toEqual(['acme', 'corp', 'mobile']);
    const withoutHealth = await (
      await fetch(`${url}/readiness`, { headers: { 'x-api-key': reader.key } })
    ).json();
    expect(withoutHealth).toEqual({ ready: true });
  });
});

describe('with GET enabled', () => {
  let stack: Stack;
  let server: Server;
  let url: string;
  beforeAll(async () => {
    stack = await Stack.start({
      perDirectory: 3,
      security: { authenticator: authenticator(), allowGet: true },
    });
    ({ server, url } = await serve(stack));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await stack.close();
  });

  it('executes authenticated GET queries with the caller’s scopes, but never with an email or a text filter in the URL', async () => {
    const id = encodeUserId('acme', stack.ids.monocloud[0] ?? '');
    const query = `{ user(id: "${id}") { displayName emails { address } } }`;
    const response = await fetch(`${url}/graphql?query=${encodeURIComponent(query)}`, {
      headers: { 'x-api-key': reader.key, accept: 'application/json' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = await response.json();
    expect(body.data.user.displayName).toEqual(expect.any(String));
    expect(body.data.user.emails).toEqual(expect.any(Array));
    for (const personal of [
      '{ usersByEmail(emails: ["a@example.com"]) { email } }',
      '{ users(first: 1, filter: { text: "smith" }) { totalCount } }',
    ]) {
      const refused = await fetch(`${url}/graphql?query=${encodeURIComponent(personal)}`, {
        headers: { 'x-api-key': reader.key, accept: 'application/json' },
      });
      expect(refused.status).toBe(400);
      const answer = await refused.json();
      expect(answer.errors[0].extensions.code).toBe('BAD_REQUEST');
      expect(answer.errors[0].message).toMatch(/by POST.*preferGetMethod: false/);
    }
    // In variables too.
    const variables = encodeURIComponent(JSON.stringify({ f: { email: 'a@example.com' } }));
    const viaVariables = await fetch(
      `${url}/graphql?query=${encodeURIComponent('query($f: UserFilter) { users(first: 1, filter: $f) { totalCount } }')}&variables=${variables}`,
      { headers: { 'x-api-key': reader.key, accept: 'application/json' } },
    );
    expect(viaVariables.status).toBe(400);
  });
});
