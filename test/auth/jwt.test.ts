import { createHmac } from 'node:crypto';
import { exportSPKI, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Authenticator } from '../../src/auth/authenticator.js';
import { authSettings } from '../../src/auth/settings.js';
import { encodeUserId } from '../../src/directory/global-id.js';
import { CardNamesDocument } from '../generated/graphql.js';
import { TestIssuer } from '../support/issuer.js';
import { Stack } from '../support/stack.js';

// JWT authentication against a real issuer: its JWKS served over HTTP on 127.0.0.1, tokens signed with
// keys made for this run. Every way a token can be wrong is a 401 naming the check that failed.

let issuer: TestIssuer;
let stack: Stack;
let ids: string[];

beforeAll(async () => {
  issuer = await TestIssuer.start();
  const settings = authSettings.parse({
    jwt: {
      issuer: issuer.url,
      audience: ['usergraph', 'usergraph-admin'],
      clockSkewSeconds: 5,
      directoriesClaim: 'usergraph_directories',
    },
  });
  stack = await Stack.start({ perDirectory: 5, security: { authenticator: new Authenticator(settings) } });
  ids = [
    encodeUserId('acme', stack.ids.monocloud[0] ?? ''),
    encodeUserId('corp', stack.ids.zitadel[0] ?? ''),
  ];
});
afterAll(async () => {
  await stack.close();
  await issuer.close();
});
beforeEach(() => stack.sims.resetAll());

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const now = () => Math.floor(Date.now() / 1000);

async function refused(token: string) {
  const started = performance.now();
  const response = await stack.execute(CardNamesDocument, { ids }, bearer(token));
  return { ...response, ms: performance.now() - started };
}

describe('a valid token', () => {
  it.each(['RS256', 'ES256', 'EdDSA'] as const)('signed with %s is accepted', async (alg) => {
    const token = await issuer.sign({ sub: 'alice', scope: 'users:read users:read:contact' }, { alg });
    const { status, body } = await stack.execute(CardNamesDocument, { ids }, bearer(token));
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.nodes?.[0]).toMatchObject({
      displayName: expect.any(String),
      emails: expect.any(Array),
    });
  });

  it('reads the discovery document once and the key set once for many requests', async () => {
    const token = await issuer.sign({ sub: 'bob', scope: 'users:read' });
    const before = issuer.jwksFetches + issuer.discoveryFetches;
    for (let i = 0; i < 20; i += 1) await stack.execute(CardNamesDocument, { ids }, bearer(token));
    expect(issuer.jwksFetches + issuer.discoveryFetches).toBe(before);
    expect(issuer.discoveryFetches).toBe(1);
  });
});

describe('every rejection is 401 with its reason, in under 20 ms once the key set is cached', () => {
  beforeAll(async () => {
    // Warm the key cache.
    await stack.execute(
      CardNamesDocument,
      { ids },
      bearer(await issuer.sign({ sub: 'warm', scope: 'users:read' })),
    );
  });

  const cases: [string, () => Promise<string>, string][] = [
    ['expired', () => issuer.sign({ sub: 'x', scope: 'users:read', exp: now() - 60 }), 'token expired'],
    [
      'not yet valid',
      () => issuer.sign({ sub: 'x', scope: 'users:read', nbf: now() + 600 }),
      'token not yet valid',
    ],
    ['wrong issuer', () => issuer.sign({ sub: 'x' }, { issuer: 'https://evil.example' }), 'wrong issuer'],
    ['wrong audience', () => issuer.sign({ sub: 'x' }, { audience: 'someone-else' }), 'wrong audience'],
    ['unknown kid', () => issuer.sign({ sub: 'x' }, { kid: 'forged-kid' }), 'unknown signing key (kid)'],
    [
      'alg none',
      async () =>
        new UnsecuredJWT({ sub: 'x', scope: 'users:read' })
          .setIssuer(issuer.url)
          .setAudience('usergraph')
          .setExpirationTime('1h')
          .encode(),
      'signature algorithm not allowed',
    ],
    [
      'HS256 signed with the public key',
      async () => {
        const pem = await exportSPKI(issuer.publicKey('RS256'));
        const header = Buffer.from(JSON.stringify({ alg: 'HS256', kid: 'key-RS256', typ: 'JWT' })).toString(
          'base64url',
        );
        const payload = Buffer.from(
          JSON.stringify({
            sub: 'x',
            scope: 'users:read',
            iss: issuer.url,
            aud: 'usergraph',
            exp: now() + 600,
          }),
        ).toString('base64url');
        const signature = createHmac('sha256', pem).update(`${header}.${payload}`).digest('base64url');
        return `${header}.${payload}.${signature}`;
      },
      'signature algorithm not allowed',
    ],
    [
      'tampered payload',
      async () => {
        const [header, , signature] = (await issuer.sign({ sub: 'x', scope: 'users:read' })).split('.');
        const payload = Buffer.from(
          JSON.stringify({
            sub: 'x',
            scope: 'users:read users:read:private',
            iss: issuer.url,
            aud: 'usergraph',
            exp: now() + 600,
          }),
        ).toString('base64url');
        return `${header}.${payload}.${signature}`;
      },
      'signature does not verify',
    ],
    ['garbage', async () => 'not.a.jwt', 'malformed token'],
    ['no exp (it would never expire)', () => issuer.sign({ sub: 'x', exp: undefined }), 'token has no exp'],
    ['no sub (no one to count or audit)', () => issuer.sign({ scope: 'users:read' }), 'token has no sub'],
    [
      'a lifetime of two days',
      () => issuer.sign({ sub: 'x', exp: now() + 2 * 86_400 }),
      'token lives longer than 86400 s (maxTokenLifetimeSeconds)',
    ],
    [
      'a sub of 2,000 characters',
      () => issuer.sign({ sub: 'x'.repeat(2_000) }),
      'sub longer than 255 characters',
    ],
  ];

  it.each(cases)('%s', async (_name, make, reason) => {
    const token = await make();
    const { status, body, headers, ms, text } = await refused(token);
    expect(status).toBe(401);
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED', reason });
    expect(headers.get('www-authenticate')).toContain('Bearer realm="usergraph"');
    expect(headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(text).not.toContain(token);
    expect(ms).toBeLessThan(20);
  });

  it('no credentials at all: 401 with a bare challenge', async () => {
    const { status, body, headers } = await stack.execute(CardNamesDocument, { ids });
    expect(status).toBe(401);
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(headers.get('www-authenticate')).toBe('Bearer realm="usergraph"');
  });

  it('a flood of forged kids does not make usergraph hammer the issuer', async () => {
    const before = issuer.jwksFetches;
    for (let i = 0; i < 30; i += 1) {
      const { status } = await refused(await issuer.sign({ sub: 'x' }, { kid: `forged-${i}` }));
      expect(status).toBe(401);
    }
    // At most one refetch per cooldown (30 s), however many unknown kids arrive.
    expect(issuer.jwksFetches - before).toBeLessThanOrEqual(1);
  });
});

describe('typ (RFC 9068 access tokens)', () => {
  it('when configured, only tokens of that type are accepted: an ID token of the same issuer is not', async () => {
    const guarded = new Authenticator(
      authSettings.parse({ jwt: { issuer: issuer.url, audience: 'usergraph', typ: 'at+jwt' } }),
    );
    const check = async (typ: string) => {
      const token = await issuer.sign({ sub: 'x', scope: 'users:read' }, { typ });
      return guarded.authenticate(new Headers(bearer(token)));
    };
    expect(await check('at+jwt')).toMatchObject({ kind: 'jwt', subject: 'x' });
    expect(await check('application/at+jwt')).toMatchObject({ kind: 'jwt', subject: 'x' });
    expect(await check('JWT')).toEqual({ failed: true, status: 401, reason: 'wrong token type (typ)' });
  });
});
