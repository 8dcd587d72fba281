import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/auth/api-keys.js';
import { Authenticator } from '../../src/auth/authenticator.js';
import { SCOPES } from '../../src/auth/scopes.js';
import { authSettings } from '../../src/auth/settings.js';
import { encodeUserId } from '../../src/directory/global-id.js';
import type { AuditEntry } from '../../src/observability/audit.js';
import { Stack } from '../support/stack.js';

// An audit line for every read of a person's data, whichever path of the schema read it: recorded
// where the use cases and loaders hand users out, not where a response happens to resolve a `User`
// type. Each case runs one query path and checks the line's user count and data classes.

const key = generateApiKey();
const audit: AuditEntry[] = [];
let stack: Stack;

beforeAll(async () => {
  stack = await Stack.start({
    perDirectory: 10,
    federation: true,
    security: {
      authenticator: new Authenticator(
        authSettings.parse({ apiKeys: [{ name: 'auditor', sha256: key.sha256, scopes: [...SCOPES] }] }),
      ),
      audit: (entry) => audit.push(entry),
    },
  });
  stack.sims.zitadel.access.eventsAllowed = true;
});
afterAll(() => stack.close());
beforeEach(() => {
  audit.length = 0;
  stack.sims.resetAll();
});

async function read(query: string, variables?: Record<string, unknown>) {
  const response = await stack.app.fetch('http://usergraph.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key.key },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  expect(audit).toHaveLength(1);
  return { body, line: audit[0] as AuditEntry };
}

const acme = (i: number) => encodeUserId('acme', stack.ids.monocloud[i] ?? '');
const corp = (i: number) => encodeUserId('corp', stack.ids.zitadel[i] ?? '');

/** A verified address held by a ZITADEL account, and that account's local id. */
function verifiedZitadelEmail(): { email: string; localId: string } {
  const record = stack.sims.zitadel.records.find((r) => r.user.human?.email?.isVerified === true);
  return { email: record?.user.human?.email?.email ?? '', localId: record?.user.userId ?? '' };
}

describe('the audit line counts users on every path that reads them', () => {
  it('nodes selecting only ids', async () => {
    const { line } = await read('query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', {
      ids: [acme(0), acme(1), corp(0)],
    });
    expect(line).toMatchObject({ users: 3, directories: ['acme', 'corp'], scopeClasses: [] });
  });

  it('node and user', async () => {
    expect((await read(`{ node(id: "${acme(2)}") { id } }`)).line.users).toBe(1);
    audit.length = 0;
    const { line } = await read(`{ user(id: "${corp(1)}") { emails { address } } }`);
    expect(line).toMatchObject({ users: 1, scopeClasses: ['contact'] });
  });

  it('a merged list selecting only cursors (existence is data)', async () => {
    const { line } = await read('{ users(first: 5) { edges { cursor } } }');
    expect(line.users).toBe(5);
  });

  it('a list filtered by email selecting only cursors names the contact class', async () => {
    const { email } = verifiedZitadelEmail();
    const { body, line } = await read(
      'query ($e: String!) { users(filter: { email: $e }) { edges { cursor } } }',
      {
        e: email,
      },
    );
    const edges = (body.data?.users as { edges: unknown[] }).edges;
    expect(edges.length).toBeGreaterThan(0);
    expect(line).toMatchObject({ users: edges.length, scopeClasses: ['contact'] });
  });

  it('a directory’s user and users', async () => {
    const { body, line } = await read(
      `{ directory(name: "acme") { user(id: "${stack.ids.monocloud[3]}") { id } users(first: 4) { nodes { id } } } }`,
    );
    const directory = body.data?.directory as { user: { id: string }; users: { nodes: { id: string }[] } };
    const ids = new Set([directory.user.id, ...directory.users.nodes.map((node) => node.id)]);
    expect(line.users).toBe(ids.size);
  });

  it('usersByEmail selecting only whether each account is verified', async () => {
    const { email } = verifiedZitadelEmail();
    const { body, line } = await read(
      'query ($e: [String!]!) { usersByEmail(emails: $e) { accounts { verified } } }',
      {
        e: [email],
      },
    );
    const accounts = (body.data?.usersByEmail as { accounts: unknown[] }[])[0]?.accounts ?? [];
    expect(accounts.length).toBeGreaterThan(0);
    expect(line).toMatchObject({ users: accounts.length, scopeClasses: ['contact'] });
  });

  it('linked accounts', async () => {
    const { localId } = verifiedZitadelEmail();
    const { body, line } = await read(
      `{ user(id: "${encodeUserId('corp', localId)}") { linkedAccounts { matchedEmail } } }`,
    );
    const links = (body.data?.user as { linkedAccounts: unknown[] }).linkedAccounts;
    expect(line.users).toBe(1 + links.length);
  });

  it('federation’s _entities', async () => {
    const { line } = await read(
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { emails { address } } } }',
      {
        r: [
          { __typename: 'User', id: acme(4) },
          { __typename: 'ZitadelUser', id: corp(2) },
        ],
      },
    );
    expect(line).toMatchObject({ users: 2, directories: ['acme', 'corp'], scopeClasses: ['contact'] });
  });

  it('the change feed: the users whose changes were read, without loading them', async () => {
    const sim = stack.sims.zitadel.access;
    const since = new Date(Math.max(Date.now(), ...sim.events.map((e) => e.at))).toISOString();
    const now = Date.parse(since) + 1;
    const [a, b] = stack.ids.zitadel;
    sim.lock(a ?? '', now);
    sim.signIn(b ?? '', now + 1);
    sim.changeProfile(a ?? '', now + 2);
    const { line } = await read(
      'query ($since: DateTime) { directory(name: "corp") { changes(since: $since) { nodes { kind } } } }',
      { since },
    );
    expect(line).toMatchObject({ users: 2, scopeClasses: ['changes'] });
  });

  it('a group’s members', async () => {
    const { body, line } = await read(
      '{ directory(name: "corp") { groups(first: 1) { nodes { members(first: 5) { edges { cursor } } } } } }',
    );
    const group = (body.data?.directory as { groups: { nodes: { members: { edges: unknown[] } }[] } }).groups
      .nodes[0];
    expect(group?.members.edges.length).toBeGreaterThan(0);
    expect(line).toMatchObject({ users: group?.members.edges.length, scopeClasses: ['groups'] });
  });
});
