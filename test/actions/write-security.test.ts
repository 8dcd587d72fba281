import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/auth/api-keys.js';
import { Authenticator } from '../../src/auth/authenticator.js';
import { authSettings } from '../../src/auth/settings.js';
import type { AuditEntry } from '../../src/observability/audit.js';
import { buildSchema } from '../../src/schema/index.js';
import { TestIssuer } from '../support/issuer.js';
import { Stack } from '../support/stack.js';
import { type Payload, type Person, peopleEverywhere, SUSPEND, writeCount } from './support.js';

// A write is refused without its scope, outside the caller's directories, over GET, without a fresh
// enough sign-in (a real JWT against a real JWKS over HTTP), past its quota; each refusal is audited.

let issuer: TestIssuer;
let stack: Stack;
let person: Person;
const audit: AuditEntry[] = [];
const reader = generateApiKey();
const responder = generateApiKey();

beforeAll(async () => {
  issuer = await TestIssuer.start();
  stack = await Stack.start({
    security: {
      audit: (entry) => audit.push(entry),
      allowGet: true,
      stepUpMaxAgeSeconds: 300,
      stepUpExemptApiKeys: false,
      authenticator: new Authenticator(
        authSettings.parse({
          jwt: { issuer: issuer.url, audience: 'usergraph' },
          claims: { scopes: ['scope'] },
          apiKeys: [
            { name: 'reader', sha256: reader.sha256, scopes: ['users:read', 'users:read:contact'] },
            { name: 'responder', sha256: responder.sha256, scopes: ['users:read', 'users:write:suspend'] },
          ],
        }),
      ),
    },
    limits: { perPrincipal: { writesPerMinute: 3 } },
  });
  person = peopleEverywhere(stack.sims)[0] as Person;
});
afterAll(async () => {
  await stack.close();
  await issuer.close();
});
beforeEach(() => {
  stack.sims.resetAll();
  audit.length = 0;
});

const input = () => ({ userIds: [person.ids[0]], reason: 'INC-42', dryRun: true });

async function post(
  headers: Record<string, string>,
  query = SUSPEND,
  variables: unknown = { input: input() },
) {
  const response = await stack.app.fetch('http://usergraph.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as {
      data?: { suspendPerson: Payload | null } | null;
      errors?: { extensions?: { code?: string; scope?: string; maxAge?: number } }[];
    },
  };
}

const token = (claims: Record<string, unknown>) =>
  issuer.sign({ sub: 'alice@example.com', scope: 'users:read users:write:suspend', ...claims });

describe('the schema', () => {
  it('every mutation needs its write scope (and a subgraph says so with @requiresScopes)', () => {
    for (const federation of [false, true]) {
      const fields = buildSchema({ federation }).getMutationType()?.getFields() ?? {};
      const scopes = Object.fromEntries(
        Object.values(fields).map((field) => [
          field.name,
          (field.extensions?.pothosOptions as { requiredScopes?: string[] }).requiredScopes,
        ]),
      );
      expect(scopes).toEqual({
        suspendPerson: ['users:write:suspend'],
        resumePerson: ['users:write:suspend'],
        signOutEverywhere: ['users:write:sessions'],
        removePasskey: ['users:write:credentials'],
        removeIdentity: ['users:write:credentials'],
        deleteAccount: ['users:delete'],
        createWebhook: ['webhooks:manage'],
        rotateWebhookSecret: ['webhooks:manage'],
        deleteWebhook: ['webhooks:manage'],
        replayWebhookDeadLetters: ['webhooks:manage'],
      });
    }
  });
});

describe('a write', () => {
  it('is refused without its scope, audited, and nothing is read or written', async () => {
    const { body } = await post({ 'x-api-key': reader.key });
    expect(body.data?.suspendPerson).toBeNull();
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', scope: 'users:write:suspend' });
    expect(stack.sims.monocloud.count() + stack.sims.zitadel.count() + stack.sims.appServices.count()).toBe(
      0,
    );
    expect(audit).toEqual([
      expect.objectContaining({
        principal: { kind: 'api-key', subject: 'reader' },
        refused: ['FORBIDDEN'],
        actions: [],
      }),
    ]);
  });

  it('by an API key is refused while step-up is on (not exempt), and audited', async () => {
    const { status, body } = await post({ 'x-api-key': responder.key });
    expect(status).toBe(401);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'STEP_UP_REQUIRED', maxAge: 300 });
    expect(audit[0]?.refused).toEqual(['STEP_UP_REQUIRED']);
  });

  it('needs a token whose holder signed in within stepUpMaxAgeSeconds (RFC 9470), then runs', async () => {
    const now = Math.floor(Date.now() / 1000);
    const stale = await post({ authorization: `Bearer ${await token({ auth_time: now - 3600 })}` });
    expect(stale.status).toBe(401);
    expect(stale.headers.get('www-authenticate')).toMatch(
      /error="insufficient_user_authentication".*max_age=300/,
    );
    expect(stale.body.errors?.[0]?.extensions?.code).toBe('STEP_UP_REQUIRED');
    const none = await post({ authorization: `Bearer ${await token({})}` });
    expect(none.body.errors?.[0]?.extensions?.code).toBe('STEP_UP_REQUIRED');
    expect(audit.map((entry) => entry.refused)).toEqual([['STEP_UP_REQUIRED'], ['STEP_UP_REQUIRED']]);
    const recent = await post({ authorization: `Bearer ${await token({ auth_time: now - 60 })}` });
    expect(recent.status).toBe(200);
    expect(recent.body.data?.suspendPerson?.accounts.length).toBe(3);
    expect(audit[2]?.actions?.[0]).toMatchObject({ action: 'suspend', dryRun: true, reason: 'INC-42' });
  });

  it('outside the caller’s directories is SKIPPED for the accounts it named, and those directories are never searched', async () => {
    const now = Math.floor(Date.now() / 1000);
    const scoped = await issuer.sign({
      sub: 'bob@example.com',
      scope: 'users:read users:write:suspend',
      auth_time: now,
      directories: ['corp'],
    });
    // The authenticator reads directories from `directoriesClaim` only when configured: use one that is.
    const stackWithDirectories = await Stack.start({
      security: {
        authenticator: new Authenticator(
          authSettings.parse({
            jwt: { issuer: issuer.url, audience: 'usergraph', directoriesClaim: 'directories' },
            claims: { scopes: ['scope'] },
          }),
        ),
        stepUpMaxAgeSeconds: 300,
        audit: (entry) => audit.push(entry),
      },
    });
    try {
      const people = peopleEverywhere(stackWithDirectories.sims);
      const target = people[0] as Person;
      const response = await stackWithDirectories.app.fetch('http://usergraph.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${scoped}` },
        body: JSON.stringify({
          query: SUSPEND,
          variables: { input: { userIds: [target.ids[0], target.ids[1]], reason: 'INC-43', dryRun: true } },
        }),
      });
      const payload = ((await response.json()) as { data: { suspendPerson: Payload } }).data.suspendPerson;
      const outcomes = Object.fromEntries(
        payload.accounts.map((account) => [account.directory, [account.outcome, account.code]]),
      );
      expect(outcomes.acme).toEqual(['SKIPPED', 'FORBIDDEN']);
      expect(outcomes.corp?.[0]).toBe('PLANNED');
      expect(outcomes.mobile).toBeUndefined();
      expect(
        stackWithDirectories.sims.monocloud.count() + stackWithDirectories.sims.appServices.count(),
      ).toBe(0);
      expect(
        audit
          .at(-1)
          ?.actions?.[0]?.accounts.map((account) => account.outcome)
          .sort(),
      ).toEqual(['PLANNED', 'SKIPPED']);
    } finally {
      await stackWithDirectories.close();
    }
  });

  it('over GET is refused (405) and audited, and never reaches a directory', async () => {
    const query = `mutation { suspendPerson(input: {userIds: ["${person.ids[0]}"], reason: "x", dryRun: true}) { complete } }`;
    const response = await stack.app.fetch(
      `http://usergraph.test/graphql?query=${encodeURIComponent(query)}`,
      {
        headers: { 'x-api-key': responder.key },
      },
    );
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(audit).toEqual([
      expect.objectContaining({
        principal: { kind: 'api-key', subject: 'responder' },
        refused: ['BAD_REQUEST: a mutation over GET'],
      }),
    ]);
    expect(writeCount(stack.sims)).toBe(0);
  });

  it('holds one action per operation, and has a quota of its own apart from reads', async () => {
    const now = Math.floor(Date.now() / 1000);
    const headers = { authorization: `Bearer ${await token({ auth_time: now, sub: 'carol@example.com' })}` };
    const two = `mutation($input: SuspendPersonInput!) { a: suspendPerson(input: $input) { complete } b: suspendPerson(input: $input) { complete } }`;
    const twice = await post(headers, two);
    expect(twice.status).toBe(400);
    expect(twice.body.errors?.[0]?.extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      limit: 'writesPerOperation',
    });
    const codes: (string | undefined)[] = [];
    for (let n = 0; n < 5; n += 1) codes.push((await post(headers)).body.errors?.[0]?.extensions?.code);
    expect(codes.filter((code) => code === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(1);
    // Reads are not held back by the writes' quota.
    const read = await post(headers, '{ directories { name } }', {});
    expect(read.body.errors).toBeUndefined();
  });
});
