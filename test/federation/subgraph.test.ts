import { readFileSync } from 'node:fs';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encodeGroupId, encodeUserId } from '../../src/directory/global-id.js';
import { printSubgraphSdl } from '../../src/server/sdl.js';
import { NodesByIdsDocument } from '../generated/graphql.js';
import { Stack } from '../support/stack.js';

// The federation operations are written here, not in test/operations: codegen reads the plain schema,
// which has no `_service` or `_entities`.
type Entity = { __typename: string; id?: string; directoryName?: string; displayName?: string | null } | null;
const SERVICE = parse('{ _service { sdl } }') as TypedDocumentNode<
  { _service: { sdl: string } },
  Record<string, never>
>;
const ENTITIES = parse(`query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on User { id directoryName localId displayName emails { address verified } }
  }
}`) as TypedDocumentNode<{ _entities: Entity[] }, { representations: Record<string, string>[] }>;

let subgraph: Stack;
beforeAll(async () => {
  subgraph = await Stack.start({ perDirectory: 60, federation: true });
});
afterAll(() => subgraph.close());
beforeEach(() => subgraph.sims.resetAll());

const TYPENAME = { acme: 'MonoCloudUser', corp: 'ZitadelUser', mobile: 'AppServicesUser' } as const;

function hundredReferences() {
  const ids = subgraph.ids;
  const refs: { directory: keyof typeof TYPENAME; localId: string }[] = [
    ...ids.monocloud.slice(0, 33).map((localId) => ({ directory: 'acme' as const, localId })),
    ...ids.zitadel.slice(0, 33).map((localId) => ({ directory: 'corp' as const, localId })),
    ...ids.appServices.slice(0, 32).map((localId) => ({ directory: 'mobile' as const, localId })),
  ];
  // Two repeats: 100 representations, 98 distinct users.
  refs.push(refs[0] as (typeof refs)[number], refs[40] as (typeof refs)[number]);
  return refs;
}

describe('subgraph mode', () => {
  it('answers _service { sdl } with the committed subgraph SDL', async () => {
    const { body } = await subgraph.execute(SERVICE, {});
    expect(body.errors).toBeUndefined();
    const sdl = body.data?._service.sdl ?? '';
    expect(sdl).toContain('@key(fields: "id")');
    // The default shape: users keyed by id only (every gateway plans it).
    expect(sdl).not.toContain('directoryName localId');
    expect(printSubgraphSdl()).toBe(readFileSync('schema/subgraph.graphql', 'utf8'));
  });

  it('resolves 100 representations with the same batched upstream calls as nodes(ids)', async () => {
    const refs = hundredReferences();
    // Half name the concrete type, half the User interface entity.
    const representations = refs.map((ref, i) => ({
      __typename: i % 2 === 0 ? TYPENAME[ref.directory] : 'User',
      id: encodeUserId(ref.directory, ref.localId),
    }));
    const { body } = await subgraph.execute(ENTITIES, { representations });
    expect(body.errors).toBeUndefined();
    expect(body.data?._entities).toHaveLength(100);
    expect(body.data?._entities.map((entity) => entity?.id)).toEqual(representations.map((r) => r.id));
    const entityCounts = countUpstream();
    expect(entityCounts).toEqual({ monocloud: 33, zitadel: 1, appServices: 32 });

    subgraph.sims.resetAll();
    await subgraph.execute(NodesByIdsDocument, { ids: representations.map((r) => r.id) });
    expect(countUpstream()).toEqual(entityCounts);
  });

  it('keys users by id only by default (the shape every gateway plans); subgraphCompositeKey adds directoryName localId', () => {
    const plain = printSubgraphSdl();
    expect(plain).toContain('interface User implements Node\n  @key(fields: "id")\n{');
    expect(plain).not.toContain('directoryName localId');
    const composite = printSubgraphSdl(true, true);
    expect(composite).toContain('@key(fields: "directoryName localId")');
    // Building the switched shape leaves the default one as it was.
    expect(printSubgraphSdl()).toBe(plain);
  });

  it('with subgraphCompositeKey, resolves the directoryName + localId key, and nothing for a type that does not match the id', async () => {
    const composite = await Stack.start({ perDirectory: 20, federation: true, subgraphCompositeKey: true });
    const localId = composite.ids.zitadel[2] ?? '';
    const { body } = await composite.execute(ENTITIES, {
      representations: [
        { __typename: 'ZitadelUser', directoryName: 'corp', localId },
        { __typename: 'User', directoryName: 'corp', localId },
        { __typename: 'MonoCloudUser', id: encodeUserId('corp', localId) },
        { __typename: 'User', id: encodeUserId('corp', '0') },
      ],
    });
    expect(body.errors).toBeUndefined();
    const [byKey, byInterface, wrongType, missing] = body.data?._entities ?? [];
    expect(byKey).toMatchObject({
      __typename: 'ZitadelUser',
      directoryName: 'corp',
      id: encodeUserId('corp', localId),
    });
    expect(byInterface?.id).toBe(encodeUserId('corp', localId));
    expect(wrongType).toBeNull();
    expect(missing).toBeNull();
    await composite.close();
  });

  it('resolves Group entities by global id (one ListGroups for several), and no group for a user’s id', async () => {
    const groups = subgraph.sims.zitadel.access.groups.slice(0, 3);
    const GROUPS = parse(`query ($representations: [_Any!]!) {
      _entities(representations: $representations) { __typename ... on Group { id name directoryName } }
    }`) as TypedDocumentNode<
      { _entities: ({ id: string; name: string } | null)[] },
      { representations: Record<string, string>[] }
    >;
    const { body } = await subgraph.execute(GROUPS, {
      representations: [
        ...groups.map((g) => ({ __typename: 'Group', id: encodeGroupId('corp', g.id) })),
        { __typename: 'Group', id: encodeUserId('corp', subgraph.ids.zitadel[0] ?? '') },
      ],
    });
    expect(body.errors).toBeUndefined();
    expect(body.data?._entities.map((e) => e?.name ?? null)).toEqual([...groups.map((g) => g.name), null]);
    expect(subgraph.sims.zitadel.count('listGroups')).toBe(1);
  });

  it('rejects a malformed id in a representation with BAD_USER_INPUT', async () => {
    const { body } = await subgraph.execute(ENTITIES, {
      representations: [{ __typename: 'User', id: '###' }],
    });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});

describe('plain mode (the default)', () => {
  it('has no federation fields', async () => {
    const plain = await Stack.start({ perDirectory: 5 });
    try {
      const { status, body } = await plain.execute(SERVICE, {});
      expect(status).toBe(400);
      expect(body.errors?.[0]?.message).toContain('_service');
    } finally {
      await plain.close();
    }
  });
});

function countUpstream() {
  return {
    monocloud: subgraph.sims.monocloud.count('getUser'),
    zitadel: subgraph.sims.zitadel.count('listUsers'),
    appServices: subgraph.sims.appServices.count('getUser'),
  };
}
