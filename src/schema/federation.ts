import { decodeGroupId, encodeUserId } from '../directory/global-id.js';
import type { User } from '../directory/model.js';
import { builder } from '../graphql/builder.js';
import type { Context } from '../graphql/context.js';
import { loadNodeByGlobalId, loadUserByGlobalId } from '../use-cases/load-user.js';
import { AppServicesUserType } from './app-services-user.js';
import { GroupType } from './group.js';
import { MonoCloudUserType } from './monocloud-user.js';
import { isGroup } from './node.js';
import { UserInterface } from './user.js';
import { ZitadelUserType } from './zitadel-user.js';

// Entities for Apollo Federation (subgraph mode). Keys:
// - `id`, the opaque global id any usergraph field returns (always);
// - `directoryName localId`, for services that only know a directory and the provider's own id: only
//   with `subgraphCompositeKey`, because Hive Gateway (≤ 2.15) cannot plan an entity with a second key
//   across `@interfaceObject` (it answers null for the other subgraph's fields; graphql-yoga#3372) while
//   @apollo/gateway can (Apollo Router is not tested here). docs/federation.md has the table.
// `User` itself is an entity (Federation 2.3 interface entity), so another subgraph can hold a
// reference without knowing which provider a user comes from (`type User @key(fields: "id")
// @interfaceObject`). Every representation goes through the request's DataLoaders, so 100 of them
// cost what `nodes(ids)` costs.

type Reference = { id: string } | { directoryName: string; localId: string };

async function resolveReference(reference: Reference, ctx: Context): Promise<User | null> {
  const id = 'id' in reference ? reference.id : encodeUserId(reference.directoryName, reference.localId);
  return loadUserByGlobalId(ctx, id, 'representations');
}

const byId = builder.selection<{ id: string }>('id');
const byDirectory = builder.selection<{ directoryName: string; localId: string }>('directoryName localId');

/**
 * Declares the user entities with the key shape a schema is built for (buildSchema calls it before each
 * subgraph schema: the last declaration is the one Pothos builds with).
 */
export function declareUserEntities(compositeKey: boolean): void {
  const key = compositeKey ? [byId, byDirectory] : byId;
  builder.asEntity(UserInterface, { key, resolveReference });
  // A concrete type only resolves users of its own provider: a representation naming the wrong type
  // for the id it carries is not that entity.
  for (const [ref, provider] of [
    [MonoCloudUserType, 'monocloud'],
    [ZitadelUserType, 'zitadel'],
    [AppServicesUserType, 'app-services'],
  ] as const) {
    builder.asEntity(ref, {
      key,
      resolveReference: async (reference: Reference, ctx: Context) => {
        const user = await resolveReference(reference, ctx);
        return user?.provider === provider ? (user as never) : null;
      },
    });
  }
}

declareUserEntities(false);

// Groups are entities too, keyed by their global id: another subgraph can attach data to a
// group (say, the team that owns it). A representation whose id is not a group's is no group.
builder.asEntity(GroupType, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: async (reference: { id: string }, ctx: Context) => {
    if (decodeGroupId(reference.id) === null) return null;
    const node = await loadNodeByGlobalId(ctx, reference.id, 'representations');
    return node !== null && isGroup(node) ? node : null;
  },
});
