import { usersById } from '../cost/field-costs.js';
import type { Group } from '../directory/access-model.js';
import { encodeGroupId, encodeUserId } from '../directory/global-id.js';
import type { ProviderKind, User } from '../directory/model.js';
import { builder, costs, needs } from '../graphql/builder.js';
import { loadNodeByGlobalId } from '../use-cases/load-user.js';

/** The concrete GraphQL type of a user from each provider. */
export const USER_TYPE_NAME: Readonly<
  Record<ProviderKind, 'MonoCloudUser' | 'ZitadelUser' | 'AppServicesUser'>
> = {
  monocloud: 'MonoCloudUser',
  zitadel: 'ZitadelUser',
  'app-services': 'AppServicesUser',
};

/** A group, not a user: only groups carry `memberCount` (possibly null), users never do. */
export function isGroup(node: User | Group): node is Group {
  return 'memberCount' in node;
}

export const NodeInterface = builder.interfaceRef<User | Group>('Node').implement({
  description: 'An object with a globally unique, opaque id (Relay Global Object Identification).',
  resolveType: (node) => (isGroup(node) ? 'Group' : USER_TYPE_NAME[node.provider]),
  fields: (t) => ({
    id: t.id({ description: 'Opaque global id; pass it to `node`, `nodes` or `user`.', resolve: globalIdOf }),
  }),
});

export function globalIdOf(node: User | Group): string {
  return isGroup(node)
    ? encodeGroupId(node.directory, node.localId)
    : encodeUserId(node.directory, node.localId);
}

builder.queryFields((t) => ({
  node: t.field({
    ...costs(usersById('id')),
    ...needs('users:read'),
    type: NodeInterface,
    nullable: true,
    description: 'The object with this global id, or null if its directory has no such object.',
    args: { id: t.arg.id({ description: 'A global id from any `id` field.' }) },
    resolve: (_root, args, ctx) => loadNodeByGlobalId(ctx, String(args.id), 'id'),
  }),
  nodes: t.field({
    ...costs(usersById('ids')),
    ...needs('users:read'),
    type: [NodeInterface],
    nullable: { list: true, items: true },
    description:
      'The objects with these global ids, in the same order; null for each id its directory does not have. Ids of one directory are fetched in one batch.',
    args: { ids: t.arg.idList({ description: 'Global ids from any `id` fields.' }) },
    resolve: (_root, args, ctx) =>
      args.ids.map((id, index) => loadNodeByGlobalId(ctx, String(id), `ids[${index}]`)),
  }),
}));
