import { groupPage, userGroups } from '../cost/field-costs.js';
import type { Group } from '../directory/access-model.js';
import type { Timestamp, User } from '../directory/model.js';
import type { DirectoryProvider } from '../directory/port.js';
import { builder, costs, needs } from '../graphql/builder.js';
import { directoryError, withRead } from '../use-cases/capability.js';
import { DirectoryType } from './directory.js';
import {
  type Connection,
  connectionOf,
  edgeCursor,
  listArgs,
  listWindow,
  PageInfoType,
} from './list-connection.js';
import { isGroup, NodeInterface } from './node.js';
import { UserInterface } from './user.js';

// Groups: `Group` is a Node; a user's groups and a group's members are connections whose
// edges carry when the membership began. A directory without groups answers these fields with null
// and UNSUPPORTED_BY_PROVIDER.

export const GroupType = builder.objectRef<Group>('Group').implement({
  description: 'A group of accounts in one directory (MonoCloud groups, ZITADEL groups).',
  interfaces: [NodeInterface],
  isTypeOf: (value) => typeof value === 'object' && value !== null && isGroup(value as Group | User),
  fields: (t) => ({
    localId: t.exposeString('localId', { description: 'The directory’s own id for the group.' }),
    directoryName: t.exposeString('directory', { description: 'The configured name of its directory.' }),
    name: t.exposeString('name', { description: 'The group’s name.' }),
    description: t.exposeString('description', { nullable: true, description: 'What the group is for.' }),
    organizationId: t.exposeString('organizationId', {
      nullable: true,
      description: 'The ZITADEL organization owning the group; null elsewhere.',
    }),
    createdAt: t.expose('createdAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was created.',
    }),
    updatedAt: t.expose('updatedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it last changed.',
    }),
    memberCount: t.exposeInt('memberCount', {
      nullable: true,
      description:
        'How many accounts are in it, where the directory reports it with the group (MonoCloud); null elsewhere (ZITADEL: see `members.totalCount`).',
    }),
  }),
});

type MemberEdgeShape = Connection<User, { addedAt: Timestamp | null }>['edges'][number];
type GroupEdgeShape = Connection<Group, { addedAt: Timestamp | null }>['edges'][number];

const GroupMemberEdge = builder.objectRef<MemberEdgeShape>('GroupMemberEdge').implement({
  description: 'One member of a group.',
  fields: (t) => ({
    cursor: t.string({ description: 'Pass as `after` to continue after this member.', resolve: edgeCursor }),
    node: t.field({ type: UserInterface, description: 'The member.', resolve: (edge) => edge.node }),
    addedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the account joined the group, where the directory records it.',
      resolve: (edge) => edge.extra.addedAt,
    }),
  }),
});

const GroupMemberConnection = builder
  .objectRef<Connection<User, { addedAt: Timestamp | null }>>('GroupMemberConnection')
  .implement({
    description: 'A page of a group’s members.',
    fields: (t) => ({
      edges: t.field({
        type: [GroupMemberEdge],
        resolve: (c) => c.edges,
        description: 'Members with cursors.',
      }),
      nodes: t.field({
        type: [UserInterface],
        resolve: (c) => c.edges.map((e) => e.node),
        description: 'Members.',
      }),
      pageInfo: t.field({ type: PageInfoType, resolve: (c) => c.pageInfo, description: 'Paging.' }),
      totalCount: t.exposeInt('totalCount', { nullable: true, description: 'Members in the whole group.' }),
    }),
  });

const GroupEdge = builder.objectRef<GroupEdgeShape>('GroupEdge').implement({
  description: 'One group in a list; for a user’s groups, with when the user joined it.',
  fields: (t) => ({
    cursor: t.string({ description: 'Pass as `after` to continue after this group.', resolve: edgeCursor }),
    node: t.field({ type: GroupType, description: 'The group.', resolve: (edge) => edge.node }),
    addedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description:
        'For a user’s groups: when the user joined it, where recorded. Null in a directory’s list.',
      resolve: (edge) => edge.extra.addedAt,
    }),
  }),
});

const GroupConnection = builder
  .objectRef<Connection<Group, { addedAt: Timestamp | null }>>('GroupConnection')
  .implement({
    description: 'A page of groups.',
    fields: (t) => ({
      edges: t.field({ type: [GroupEdge], resolve: (c) => c.edges, description: 'Groups with cursors.' }),
      nodes: t.field({
        type: [GroupType],
        resolve: (c) => c.edges.map((e) => e.node),
        description: 'Groups.',
      }),
      pageInfo: t.field({ type: PageInfoType, resolve: (c) => c.pageInfo, description: 'Paging.' }),
      totalCount: t.exposeInt('totalCount', { nullable: true, description: 'Groups in the whole list.' }),
    }),
  });

builder.objectField(GroupType, 'directory', (t) =>
  t.field({
    type: DirectoryType,
    description: 'The directory holding the group.',
    resolve: (group, _args, ctx) => {
      const directory = ctx.directories.get(group.directory);
      if (!directory) throw new Error(`group from unknown directory ${group.directory}`);
      return directory;
    },
  }),
);

builder.objectField(GroupType, 'members', (t) =>
  t.field({
    ...costs(groupPage(true)),
    ...needs('groups:read', 'users:read'),
    type: GroupMemberConnection,
    nullable: true,
    description: 'The group’s members, in the order the directory lists them (paged upstream).',
    args: listArgs(t.arg),
    resolve: async (group, args, ctx) => {
      const directory = withRead(ctx.directories.getOrThrow(group.directory), 'listGroupMembers', 'groups');
      const window = listWindow(args.first, args.after);
      const page = await directory
        .listGroupMembers(group.localId, window.offset, window.first, ctx.call)
        .catch((error: unknown) => {
          throw directoryError(directory, error);
        });
      if (page === null) return connectionOf([], window.offset, false, 0);
      const users = ctx.loaders.user(directory);
      for (const membership of page.items) {
        if (membership.user) users.prime(membership.userId, membership.user);
        ctx.read.userRef(directory.name, membership.userId);
      }
      const loaded = await users.loadMany(page.items.map((m) => m.userId));
      // A member deleted since the list was read is left out rather than shown as nothing.
      return connectionOf(
        orFail(directory, loaded),
        window.offset,
        page.next !== null,
        page.total,
        (_user, index) => ({ addedAt: page.items[index]?.addedAt ?? null }),
      );
    },
  }),
);

builder.objectField(DirectoryType, 'groups', (t) =>
  t.field({
    ...costs(groupPage(false)),
    ...needs('groups:read'),
    type: GroupConnection,
    nullable: true,
    description:
      'The directory’s groups, paged upstream; null with UNSUPPORTED_BY_PROVIDER where the directory has no groups.',
    args: listArgs(t.arg),
    resolve: async (directory, args, ctx) => {
      const reader = withRead(directory, 'listGroups', 'groups');
      const window = listWindow(args.first, args.after);
      const page = await reader.listGroups(window.offset, window.first, ctx.call).catch((error: unknown) => {
        throw directoryError(directory, error);
      });
      return connectionOf(page.items, window.offset, page.next !== null, page.total, () => ({
        addedAt: null,
      }));
    },
  }),
);

builder.interfaceField(UserInterface, 'groups', (t) =>
  t.field({
    ...costs(userGroups),
    ...needs('groups:read'),
    type: GroupConnection,
    nullable: true,
    description:
      'The groups the account is in (first page from one batched read per directory); null with UNSUPPORTED_BY_PROVIDER where the directory has no groups.',
    args: listArgs(t.arg),
    resolve: async (user, args, ctx) => {
      const directory = withRead(ctx.directories.getOrThrow(user.directory), 'getUserGroups', 'groups');
      const groupsReader = withRead(directory, 'getGroups', 'groups');
      const memberships = await ctx.loaders
        .userGroups(directory)
        .load(user.localId)
        .catch((error: unknown) => {
          throw directoryError(directory, error);
        });
      const all = memberships ?? [];
      const window = listWindow(args.first, args.after);
      const shown = all.slice(window.offset, window.offset + window.first);
      const groups = await ctx.loaders.groups(groupsReader).loadMany(shown.map((m) => m.groupId));
      // A group deleted since the membership was read is left out.
      return connectionOf(
        orFail(directory, groups),
        window.offset,
        window.offset + shown.length < all.length,
        all.length,
        (_group, index) => ({ addedAt: shown[index]?.addedAt ?? null }),
      );
    },
  }),
);

/** Loaded values in key order: an error fails the field as its directory's; a missing one stays null. */
function orFail<T>(directory: DirectoryProvider, results: readonly (T | null | Error)[]): (T | null)[] {
  return results.map((result) => {
    if (result instanceof Error) throw directoryError(directory, result);
    return result;
  });
}
