import { exportPKCS8, generateKeyPair } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Authenticator } from '../../src/auth/authenticator.js';
import { authSettings } from '../../src/auth/settings.js';
import { encodeUserId } from '../../src/directory/global-id.js';
import { CardNamesDocument } from '../generated/graphql.js';
import { TestIssuer } from '../support/issuer.js';
import { Stack } from '../support/stack.js';

// Tokens from the identity providers people run, shaped as each documents them
// (../shared/providers/access-tokens.md), against a real issuer on 127.0.0.1: its JWKS for JWTs, its
// RFC 7662 endpoint for opaque tokens. Each reads names and emails when its roles are mapped to
// `users:read users:read:contact`, and nothing more when they are not.

let issuer: TestIssuer;

/** ZITADEL's own example project (retrieve-user-roles guide) and an invented app client id. */
const ZITADEL_PROJECT = '223281986649719041';
const ZITADEL_CLIENT = '223282000000000001';
const ORGS = {
  '223279178798072065': 'org-a.user-authorizations-io8epz.zitadel.cloud',
  '223279223391912193': 'org-b.user-authorizations-io8epz.zitadel.cloud',
};
const READ_CONTACT = ['users:read', 'users:read:contact'] as const;

beforeAll(async () => {
  issuer = await TestIssuer.start();
});
afterAll(async () => {
  await issuer.close();
});
beforeEach(() => {
  issuer.down = false;
});

/** Asks for names and emails with `settings` deciding who the bearer is. */
async function read(settings: unknown, token: string) {
  const authenticator = new Authenticator(authSettings.parse(settings));
  const principal = await authenticator.authenticate(new Headers({ authorization: `Bearer ${token}` }));
  return principal;
}

/** The same through the GraphQL endpoint of an app that uses `settings`. */
async function answer(settings: unknown, token: string) {
  const guarded = await Stack.start({
    perDirectory: 3,
    security: { authenticator: new Authenticator(authSettings.parse(settings)) },
  });
  try {
    const local = [encodeUserId('acme', guarded.ids.monocloud[0] ?? '')];
    return await guarded.execute(CardNamesDocument, { ids: local }, { authorization: `Bearer ${token}` });
  } finally {
    await guarded.close();
  }
}

describe('ZITADEL', () => {
  const settings = () => ({
    preset: 'zitadel',
    roles: { support: [...READ_CONTACT] },
    jwt: { issuer: issuer.url, audience: ZITADEL_PROJECT, algorithms: ['RS256'] },
  });

  it('a JWT access token with project roles as an object (role keys, flat and project-scoped) reads names and emails', async () => {
    const roles = { support: ORGS, 'corporate member': { '223279178798072065': ORGS['223279178798072065'] } };
    const token = await issuer.sign(
      {
        sub: '223427827918176513',
        client_id: ZITADEL_CLIENT,
        jti: 'V2_223430000000000001-at_223430000000000002',
        'urn:zitadel:iam:org:project:roles': roles,
        [`urn:zitadel:iam:org:project:${ZITADEL_PROJECT}:roles`]: roles,
      },
      { audience: [ZITADEL_CLIENT, ZITADEL_PROJECT], typ: 'JWT' },
    );
    const { status, body } = await answer(settings(), token);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.nodes?.[0]).toMatchObject({
      displayName: expect.any(String),
      emails: expect.any(Array),
    });
  });

  it('a machine user’s token carries only the project-scoped claim: that is enough', async () => {
    const token = await issuer.sign(
      {
        sub: '170079991923769600',
        [`urn:zitadel:iam:org:project:${ZITADEL_PROJECT}:roles`]: { support: ORGS },
      },
      { audience: [ZITADEL_PROJECT] },
    );
    expect(await read(settings(), token)).toMatchObject({ scopes: new Set(READ_CONTACT), directories: null });
  });

  it('the claims reference’s array-wrapped shape reads the same; an unmapped role grants nothing', async () => {
    const wrapped = await issuer.sign(
      { sub: 'x', 'urn:zitadel:iam:org:project:roles': [{ support: ORGS }] },
      { audience: ZITADEL_PROJECT },
    );
    expect(await read(settings(), wrapped)).toMatchObject({ scopes: new Set(READ_CONTACT) });
    const cfo = await issuer.sign(
      { sub: 'x', 'urn:zitadel:iam:org:project:roles': { cfo: ORGS } },
      { audience: ZITADEL_PROJECT },
    );
    const { body } = await answer(settings(), cfo);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', scope: 'users:read' });
  });

  describe('an opaque token (ZITADEL’s default), introspected', () => {
    const introspected = (client: Record<string, unknown>) => ({
      preset: 'zitadel',
      roles: { support: [...READ_CONTACT] },
      introspection: { issuer: issuer.url, audience: ZITADEL_PROJECT, ...client },
    });
    const zitadelAnswer = () =>
      issuer.issueOpaque({
        sub: '223427827918176513',
        client_id: ZITADEL_CLIENT,
        aud: [ZITADEL_CLIENT, ZITADEL_PROJECT],
        scope: 'openid profile email urn:zitadel:iam:org:projects:roles',
        username: 'david.wallace',
        'urn:zitadel:iam:org:project:roles': { support: ORGS },
        [`urn:zitadel:iam:org:project:${ZITADEL_PROJECT}:roles`]: { support: ORGS },
      });

    it('with the API app’s client secret (Basic), read once and kept', async () => {
      issuer.clients.set('usergraph-api', { secret: 's3cret' });
      const settings = introspected({ clientId: 'usergraph-api', clientSecret: 's3cret' });
      const token = zitadelAnswer();
      const { status, body } = await answer(settings, token);
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      expect(body.data?.nodes?.[0]).toMatchObject({ emails: expect.any(Array) });
      const authenticator = new Authenticator(authSettings.parse(settings));
      const before = issuer.introspections;
      for (let i = 0; i < 20; i += 1) {
        await authenticator.authenticate(new Headers({ authorization: `Bearer ${token}` }));
      }
      expect(issuer.introspections - before).toBe(1);
    });

    it('with a private_key_jwt assertion signed by the app’s key', async () => {
      const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
      issuer.clients.set('usergraph-jwt', { publicKey });
      const settings = introspected({
        clientId: 'usergraph-jwt',
        privateKey: await exportPKCS8(privateKey),
        keyId: '170079991923769601',
      });
      expect(await read(settings, zitadelAnswer())).toMatchObject({
        kind: 'jwt',
        scopes: new Set(READ_CONTACT),
      });
    });

    it('inactive, revoked, refused client, issuer down: each answered for what it is', async () => {
      issuer.clients.set('usergraph-api', { secret: 's3cret' });
      const settings = introspected({
        clientId: 'usergraph-api',
        clientSecret: 's3cret',
        negativeCacheSeconds: 0,
      });
      expect(await read(settings, 'not-a-token-anyone-issued')).toEqual({
        failed: true,
        status: 401,
        reason: 'token is not active',
      });
      const revoked = zitadelAnswer();
      issuer.revoke(revoked);
      expect(await read(settings, revoked)).toMatchObject({ status: 401, reason: 'token is not active' });
      const wrongSecret = introspected({ clientId: 'usergraph-api', clientSecret: 'wrong' });
      expect(await read(wrongSecret, zitadelAnswer())).toMatchObject({ status: 503 });
      issuer.down = true;
      const down = await answer(settings, zitadelAnswer());
      expect(down.status).toBe(503);
      expect(down.body.errors?.[0]?.extensions).toMatchObject({ code: 'AUTH_UNAVAILABLE' });
    });
  });
});

describe('Keycloak', () => {
  it('realm roles and the client’s roles, nested, merged and mapped', async () => {
    const token = await issuer.sign(
      {
        sub: 'f3c1a8e0-0000-4000-8000-000000000001',
        typ: 'Bearer',
        azp: 'usergraph-console',
        realm_access: {
          roles: ['default-roles-acme', 'offline_access', 'uma_authorization', 'usergraph-reader'],
        },
        resource_access: {
          usergraph: { roles: ['users:read:contact'] },
          account: { roles: ['manage-account', 'view-profile'] },
        },
        scope: 'openid email profile',
      },
      { audience: ['usergraph', 'account'] },
    );
    const settings = {
      preset: 'keycloak',
      roles: { 'usergraph-reader': ['users:read'] },
      jwt: { issuer: issuer.url, audience: 'usergraph' },
    };
    expect(await read(settings, token)).toMatchObject({ scopes: new Set(READ_CONTACT) });
  });
});

describe('Microsoft Entra ID', () => {
  const settings = () => ({
    preset: 'entra',
    roles: { 'Directory.Reader': [...READ_CONTACT], access_as_user: ['users:read'] },
    jwt: { issuer: issuer.url, audience: '6e74172b-be56-4843-9ff4-e66a39bb12e3' },
  });

  it('an application token with roles: ["Directory.Reader"] reads names and emails', async () => {
    const token = await issuer.sign(
      {
        sub: '7f3e0000',
        oid: '7f3e0000',
        azp: '0a1b2c3d-0000-4000-8000-000000000001',
        roles: ['Directory.Reader'],
        idtyp: 'app',
        ver: '2.0',
      },
      { audience: '6e74172b-be56-4843-9ff4-e66a39bb12e3' },
    );
    const { status, body } = await answer(settings(), token);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.nodes?.[0]).toMatchObject({ emails: expect.any(Array) });
  });

  it('a delegated token’s scp string, merged with roles', async () => {
    const token = await issuer.sign(
      { sub: 'HKZpfaHyWadeOouYlitjrI-KffTm222X5rrV3xDqfKQ', scp: 'access_as_user', ver: '2.0' },
      { audience: '6e74172b-be56-4843-9ff4-e66a39bb12e3' },
    );
    expect(await read(settings(), token)).toMatchObject({ scopes: new Set(['users:read']) });
  });
});

describe('Okta and Auth0', () => {
  it('Okta: scp as an array and a groups claim', async () => {
    const token = await issuer.sign(
      {
        sub: '00ujmkLgagxeRrAg20g3',
        cid: 'nmdP1fcyvdVO11AL7ECm',
        scp: ['openid', 'users:read'],
        groups: ['support'],
      },
      { audience: 'api://usergraph' },
    );
    const settings = {
      preset: 'okta',
      roles: { support: ['users:read:contact'] },
      jwt: { issuer: issuer.url, audience: 'api://usergraph' },
    };
    expect(await read(settings, token)).toMatchObject({ scopes: new Set(READ_CONTACT) });
  });

  it('Auth0: scope and RBAC permissions, and directories from a namespaced claim', async () => {
    const token = await issuer.sign(
      {
        sub: 'auth0|123456',
        azp: 'my_client_id',
        scope: 'openid profile users:read',
        permissions: ['users:read:contact'],
        'https://usergraph.example.com/directories': ['acme'],
      },
      { audience: ['https://usergraph.example.com', `${issuer.url}/userinfo`] },
    );
    const settings = {
      preset: 'auth0',
      claims: {
        scopes: ['scope', 'permissions'],
        directories: ['https://usergraph.example.com/directories'],
      },
      jwt: { issuer: issuer.url, audience: 'https://usergraph.example.com' },
    };
    expect(await read(settings, token)).toMatchObject({
      scopes: new Set(READ_CONTACT),
      directories: new Set(['acme']),
    });
  });
});
