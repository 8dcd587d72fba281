import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeUserId } from '../../src/directory/global-id.js';
import {
  DirectoriesDocument,
  DirectoryUserDocument,
  NodeByIdDocument,
  NodesByIdsDocument,
  UserByIdDocument,
} from '../generated/graphql.js';
import { JOHN_DOE_MODEL } from '../support/john-doe.js';
import { Stack } from '../support/stack.js';

const JOHN_DOE = 'UOtBaOybB6dTpIJNrnkRw';
const MINNIE = '69629012906488334';

let stack: Stack;
beforeAll(async () => {
  stack = await Stack.start({ perDirectory: 40 });
});
afterAll(() => stack.close());

describe('users over HTTP', () => {
  it('maps the API page’s John Doe field by field', async () => {
    const { status, body } = await stack.execute(UserByIdDocument, { id: encodeUserId('acme', JOHN_DOE) });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    // Every model field, exposed as is; only the directory becomes an object and the ids are added.
    const { provider: _provider, directory: _directory, ...fields } = JOHN_DOE_MODEL;
    // Instants are epoch milliseconds in the model, RFC 3339 in the response.
    const rfc3339 = (at: number | null) => (at === null ? null : new Date(at).toISOString());
    expect(body.data?.user).toEqual({
      ...fields,
      passwordChangedAt: rfc3339(fields.passwordChangedAt),
      createdAt: rfc3339(fields.createdAt),
      updatedAt: rfc3339(fields.updatedAt),
      lastSignInAt: rfc3339(fields.lastSignInAt),
      lastSignInAttemptAt: rfc3339(fields.lastSignInAttemptAt),
      blockedUntil: rfc3339(fields.blockedUntil),
      lastActivityAt: rfc3339(fields.lastActivityAt),
      id: encodeUserId('acme', JOHN_DOE),
      __typename: 'MonoCloudUser',
      directory: { name: 'acme', provider: 'MONOCLOUD' },
      primaryEmail: { address: 'user@example.com' },
    });
  });

  it('resolves ZitadelUser fields, with passkeys and IdP links from their own endpoints', async () => {
    const { body } = await stack.execute(DirectoryUserDocument, { name: 'corp', id: MINNIE });
    expect(body.errors).toBeUndefined();
    const user = body.data?.directory?.user;
    expect(user?.__typename).toBe('ZitadelUser');
    if (user?.__typename !== 'ZitadelUser') return;
    expect(user).toMatchObject({
      localId: MINNIE,
      kind: 'HUMAN',
      status: 'ACTIVE',
      username: 'minnie-mouse',
      directory: { name: 'corp', provider: 'ZITADEL' },
      machine: null,
    });
    expect(user.loginNames?.length).toBeGreaterThan(0);
    expect(user.preferredLoginName).toEqual(expect.any(String));
    expect(user.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(user.passkeys?.length).toBeGreaterThan(0);
    expect(user.identities?.length).toBeGreaterThan(0);
    expect(stack.sims.zitadel.count('listPasskeys')).toBeGreaterThan(0);
  });

  it('resolves a ZITADEL machine user and an App Services server user', async () => {
    const machineId = stack.sims.zitadel.records.find((record) => record.user.machine)?.user.userId ?? '';
    const zitadel = await stack.execute(DirectoryUserDocument, { name: 'corp', id: machineId });
    const machine = zitadel.body.data?.directory?.user;
    expect(machine).toMatchObject({
      __typename: 'ZitadelUser',
      kind: 'MACHINE',
      machine: { hasSecret: expect.any(Boolean) },
    });

    const server = stack.sims.appServices.records.find((user) => user.type === 'server');
    const normal = stack.sims.appServices.records.find((user) => user.type === 'normal');
    const [serverRes, normalRes] = await Promise.all([
      stack.execute(DirectoryUserDocument, { name: 'mobile', id: server?._id ?? '' }),
      stack.execute(DirectoryUserDocument, { name: 'mobile', id: normal?._id ?? '' }),
    ]);
    expect(serverRes.body.data?.directory?.user).toMatchObject({
      __typename: 'AppServicesUser',
      kind: 'MACHINE',
      type: 'SERVER',
      passkeys: null,
    });
    expect(normalRes.body.data?.directory?.user).toMatchObject({
      __typename: 'AppServicesUser',
      kind: 'HUMAN',
      type: 'NORMAL',
      createdAt: new Date((normal?.creation_date ?? 0) * 1000).toISOString(),
    });
  });

  it('round-trips global ids through node, nodes and user', async () => {
    const id = encodeUserId('mobile', stack.ids.appServices[3] ?? '');
    const node = await stack.execute(NodeByIdDocument, { id });
    expect(node.body.data?.node).toMatchObject({ id, localId: stack.ids.appServices[3] });
    const ids = [encodeUserId('acme', JOHN_DOE), encodeUserId('corp', MINNIE), id];
    const nodes = await stack.execute(NodesByIdsDocument, { ids });
    expect(nodes.body.data?.nodes?.map((n) => n?.id)).toEqual(ids);
  });

  it('answers null for an unknown id, without an error', async () => {
    const missing = encodeUserId('corp', '99999999999999999');
    const { status, body } = await stack.execute(UserByIdDocument, { id: missing });
    expect(status).toBe(200);
    expect(body).toEqual({ data: { user: null } });
    const nodes = await stack.execute(NodesByIdsDocument, {
      ids: [encodeUserId('acme', 'nope'), encodeUserId('acme', JOHN_DOE)],
    });
    expect(nodes.body.errors).toBeUndefined();
    expect(nodes.body.data?.nodes?.[0]).toBeNull();
    expect(nodes.body.data?.nodes?.[1]?.id).toBe(encodeUserId('acme', JOHN_DOE));
  });

  it('rejects a malformed id with BAD_USER_INPUT that says where', async () => {
    const { status, body } = await stack.execute(UserByIdDocument, { id: 'not a global id!' });
    expect(status).toBe(200);
    expect(body.data?.user).toBeNull();
    expect(body.errors?.[0]).toMatchObject({
      path: ['user'],
      extensions: { code: 'BAD_USER_INPUT', argument: 'id' },
    });
    expect(body.errors?.[0]?.message).toContain('not a global id!');

    const unknownDirectory = await stack.execute(UserByIdDocument, { id: encodeUserId('payroll', '1') });
    expect(unknownDirectory.body.errors?.[0]?.message).toContain('"payroll"');

    const nodes = await stack.execute(NodesByIdsDocument, { ids: [encodeUserId('acme', JOHN_DOE), 'bad'] });
    expect(nodes.body.data?.nodes?.[0]?.id).toBe(encodeUserId('acme', JOHN_DOE));
    expect(nodes.body.data?.nodes?.[1]).toBeNull();
    expect(nodes.body.errors?.[0]).toMatchObject({
      path: ['nodes', 1],
      extensions: { code: 'BAD_USER_INPUT', argument: 'ids[1]' },
    });
  });

  it('lists the configured directories', async () => {
    const { body } = await stack.execute(DirectoriesDocument, {});
    expect(body.data?.directories).toEqual([
      { name: 'acme', provider: 'MONOCLOUD' },
      { name: 'corp', provider: 'ZITADEL' },
      { name: 'mobile', provider: 'APP_SERVICES' },
    ]);
  });
});
