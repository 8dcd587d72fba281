import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/auth/api-keys.js';
import { Authenticator } from '../../src/auth/authenticator.js';
import { authSettings } from '../../src/auth/settings.js';
import { encodeUserId } from '../../src/directory/global-id.js';
import { auditSink } from '../../src/observability/audit.js';
import { createLog } from '../../src/observability/logger.js';
import { NodesByIdsDocument, PersonCardDocument, UsersByEmailDocument } from '../generated/graphql.js';
import { LogLines } from '../support/log-lines.js';
import { Stack } from '../support/stack.js';

// Who may read what: per-field scopes (scope auth, before any resolver or upstream call), per-directory
// grants, API keys, and the audit line each read leaves.

const keys = {
  names: generateApiKey(),
  everything: generateApiKey(),
  acmeOnly: generateApiKey(),
};
// The audit sink as production has it: the process's log, here at `warn`, which audit lines ignore.
/** Every error carries the request's id. */
const ANY = expect.any(String);
const log = new LogLines();
const audit = log.lines;
let stack: Stack;

beforeAll(async () => {
  const settings = authSettings.parse({
    apiKeys: [
      { name: 'names-only', sha256: keys.names.sha256, scopes: ['users:read'] },
      {
        name: 'support-desk',
        sha256: keys.everything.sha256,
        scopes: [
          'users:read',
          'users:read:contact',
          'users:read:credentials',
          'users:read:activity',
          'users:read:private',
        ],
      },
      {
        name: 'acme-script',
        sha256: keys.acmeOnly.sha256,
        scopes: ['users:read', 'users:read:contact'],
        directories: ['acme'],
      },
    ],
  });
  stack = await Stack.start({
    perDirectory: 20,
    security: {
      authenticator: new Authenticator(settings),
      audit: auditSink({ sink: 'stdout' }, createLog({ level: 'warn', destination: log })),
    },
  });
});
afterAll(() => stack.close());
beforeEach(() => {
  stack.sims.resetAll();
  log.clear();
});

const first = (directory: 'acme' | 'corp' | 'mobile', count: number) => {
  const local = { acme: stack.ids.monocloud, corp: stack.ids.zitadel, mobile: stack.ids.appServices }[
    directory
  ];
  return local.slice(0, count).map((id) => encodeUserId(directory, id));
};

describe('per-field scopes', () => {
  it('users:read alone gets names, and null with FORBIDDEN naming the scope for everything else, without the upstream calls only those fields need', async () => {
    const ids = [...first('acme', 2), ...first('corp', 2), ...first('mobile', 2)];
    const { status, body } = await stack.execute(
      PersonCardDocument,
      { ids },
      { 'x-api-key': keys.names.key },
    );
    expect(status).toBe(200);
    const nodes = body.data?.nodes ?? [];
    expect(nodes).toHaveLength(6);
    for (const node of nodes) {
      expect(node).toMatchObject({
        id: expect.any(String),
        emails: null,
        passkeys: null,
        lastSignInAt: null,
      });
      expect(node).toHaveProperty('displayName');
    }
    expect(nodes.filter((node) => node && 'displayName' in node && node.displayName).length).toBeGreaterThan(
      3,
    );
    const codes = new Map(
      (body.errors ?? []).map((error) => [error.path?.slice(2).join('.'), error.extensions]),
    );
    expect(codes.get('emails')).toEqual({ code: 'FORBIDDEN', scope: 'users:read:contact', requestId: ANY });
    expect(codes.get('passkeys')).toEqual({
      code: 'FORBIDDEN',
      scope: 'users:read:credentials',
      requestId: ANY,
    });
    expect(codes.get('lastSignInAt')).toEqual({
      code: 'FORBIDDEN',
      scope: 'users:read:activity',
      requestId: ANY,
    });
    expect(codes.get('privateData')).toEqual({
      code: 'FORBIDDEN',
      scope: 'users:read:private',
      requestId: ANY,
    });
    // The names needed one batch per directory; ZITADEL's passkeys and IdP links were never asked for.
    expect(stack.sims.zitadel.count('listUsers')).toBe(1);
    expect(stack.sims.zitadel.count('listPasskeys')).toBe(0);
    expect(stack.sims.zitadel.count('listIdpLinks')).toBe(0);
  });

  it('with every user scope the same query answers in full', async () => {
    const ids = [...first('acme', 2), ...first('corp', 2)];
    const { body } = await stack.execute(
      PersonCardDocument,
      { ids },
      { authorization: `Bearer ${keys.everything.key}` },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.nodes?.every((node) => node && 'emails' in node && Array.isArray(node.emails))).toBe(
      true,
    );
    expect(stack.sims.zitadel.count('listPasskeys')).toBe(2);
  });

  it('an email lookup needs users:read:contact and is refused before any upstream call', async () => {
    const { body } = await stack.execute(
      UsersByEmailDocument,
      { emails: ['a@example.com'] },
      { 'x-api-key': keys.names.key },
    );
    expect(body.data?.usersByEmail).toBeNull();
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
    expect(stack.sims.monocloud.count() + stack.sims.zitadel.count() + stack.sims.appServices.count()).toBe(
      0,
    );
  });
});

describe('per-directory grants', () => {
  it('a key limited to acme gets null with FORBIDDEN for corp users and never causes a request to corp', async () => {
    const ids = [...first('acme', 3), ...first('corp', 3)];
    const { body } = await stack.execute(NodesByIdsDocument, { ids }, { 'x-api-key': keys.acmeOnly.key });
    const nodes = body.data?.nodes ?? [];
    expect(nodes.slice(0, 3).every((node) => node !== null)).toBe(true);
    expect(nodes.slice(3)).toEqual([null, null, null]);
    expect(body.errors?.map((error) => error.extensions)).toEqual([
      { code: 'FORBIDDEN', directory: 'corp', requestId: ANY },
      { code: 'FORBIDDEN', directory: 'corp', requestId: ANY },
      { code: 'FORBIDDEN', directory: 'corp', requestId: ANY },
    ]);
    expect(stack.sims.zitadel.count()).toBe(0);
  });

  it('lists and email lookups cover only the granted directories', async () => {
    const { body } = await stack.execute(
      UsersByEmailDocument,
      { emails: ['nobody@example.com'] },
      { 'x-api-key': keys.acmeOnly.key },
    );
    expect(body.errors).toBeUndefined();
    expect(stack.sims.zitadel.count() + stack.sims.appServices.count()).toBe(0);
    expect(stack.sims.monocloud.count('listUsers')).toBe(1);
  });
});

describe('API keys', () => {
  it('an unknown or malformed key is 401 naming which', async () => {
    const unknown = await stack.execute(
      NodesByIdsDocument,
      { ids: [] },
      { 'x-api-key': generateApiKey().key },
    );
    expect(unknown.status).toBe(401);
    expect(unknown.body.errors?.[0]?.extensions).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'unknown API key',
    });
    const malformed = await stack.execute(NodesByIdsDocument, { ids: [] }, { 'x-api-key': 'ug_short' });
    expect(malformed.body.errors?.[0]?.extensions).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'malformed API key',
    });
    expect(malformed.text).not.toContain('ug_short');
  });
});

describe('the audit log', () => {
  it('one line for a 60-user read: the principal, three directories, 60 users, the scope classes, and no value', async () => {
    const ids = [...first('acme', 20), ...first('corp', 20), ...first('mobile', 20)];
    const { body } = await stack.execute(
      PersonCardDocument,
      { ids },
      { 'x-api-key': keys.everything.key, 'x-request-id': 'req-audit-1' },
    );
    expect(body.data?.nodes?.filter(Boolean)).toHaveLength(60);
    expect(audit).toHaveLength(1);
    const [line] = audit;
    expect(line).toMatchObject({
      log: 'audit',
      level: 30,
      time: expect.any(Number),
      requestId: 'req-audit-1',
      principal: { kind: 'api-key', subject: 'support-desk' },
      operation: { name: 'PersonCard', hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
      directories: ['acme', 'corp', 'mobile'],
      users: 60,
      scopeClasses: ['activity', 'contact', 'credentials', 'private'],
    });
    expect(JSON.stringify(line)).not.toMatch(/@|ug_/);
  });

  it('names only the classes the principal could read', async () => {
    await stack.execute(PersonCardDocument, { ids: first('acme', 2) }, { 'x-api-key': keys.names.key });
    expect(audit[0]).toMatchObject({ users: 2, scopeClasses: [], principal: { subject: 'names-only' } });
  });
});
