import { directoryUsers, mergedUsers } from '../cost/field-costs.js';
import type { User } from '../directory/model.js';
import { builder, costs, needs } from '../graphql/builder.js';
import { chooseDirectories } from '../use-cases/choose-directories.js';
import {
  DEFAULT_FIRST,
  type ListArgs,
  listUsers,
  MAX_FIRST,
  type UserConnectionShape,
} from '../use-cases/list-users.js';
import { DirectoryType } from './directory.js';
import { UserInterface, UserKindEnum, UserStatusEnum } from './user.js';

const UserOrderEnum = builder.enumType('UserOrder', {
  description: 'The order of a user list. Ties in creation time are broken by directory name, then local id.',
  values: {
    CREATED_AT_ASC: { description: 'Oldest first; accounts without a creation time come last.' },
    CREATED_AT_DESC: { description: 'Newest first; accounts without a creation time come first.' },
  } as const,
});

const UserFilterInput = builder.inputType('UserFilter', {
  description:
    'Narrows a user list; every given condition must hold. Each directory pushes down what its API can do and usergraph checks the rest after fetching, within a bounded scan (see `UserPageInfo.scanBudgetExhausted`).',
  fields: (t) => ({
    text: t.string({
      required: false,
      description: 'Case-insensitive substring of the display, given, family or user name or of any email.',
    }),
    email: t.string({ required: false, description: 'An exact email address (trimmed, case-insensitive).' }),
    status: t.field({
      type: [UserStatusEnum],
      required: false,
      description: 'Any of these statuses (not empty).',
    }),
    kind: t.field({ type: UserKindEnum, required: false, description: 'Only people or only machines.' }),
    createdAfter: t.field({
      type: 'DateTime',
      required: false,
      description: 'Created at or after this time.',
    }),
    createdBefore: t.field({ type: 'DateTime', required: false, description: 'Created before this time.' }),
  }),
});

type Edge = UserConnectionShape['edges'][number];
type PageInfo = UserConnectionShape['pageInfo'];

const UserEdgeType = builder.objectRef<Edge>('UserEdge').implement({
  description: 'One user in a list, with the cursor that resumes the list right after it.',
  fields: (t) => ({
    cursor: t.exposeString('cursor', {
      description: 'Pass as `after` to continue with the next user (opaque; only for the same arguments).',
    }),
    node: t.field({ type: UserInterface, description: 'The user.', resolve: (edge): User => edge.node }),
  }),
});

const UserPageInfoType = builder.objectRef<PageInfo>('UserPageInfo').implement({
  description: 'Where a page of users stands in the whole list. Lists page forward only.',
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage', {
      description: 'Whether there may be more users after this page (a last page may come back empty).',
    }),
    hasPreviousPage: t.boolean({
      description: 'Always false: lists page forward only (`first`/`after`), never backward.',
      resolve: () => false,
    }),
    startCursor: t.exposeString('startCursor', {
      nullable: true,
      description: 'The first edge’s cursor, or null for an empty page.',
    }),
    endCursor: t.exposeString('endCursor', {
      nullable: true,
      description:
        'Pass as `after` for the next page. Given whenever `hasNextPage` is true, even for an empty page.',
    }),
    scanBudgetExhausted: t.exposeBoolean('scanBudgetExhausted', {
      description:
        'True when a directory stopped scanning for matches of the filter at its page budget: the page may be shorter than `first` although more users may match; continue from `endCursor`.',
    }),
  }),
});

const UserConnectionType = builder.objectRef<UserConnectionShape>('UserConnection').implement({
  description: 'A page of users (a Relay connection, forward paging).',
  fields: (t) => ({
    edges: t.field({
      type: [UserEdgeType],
      description: 'The users of this page, each with its cursor.',
      resolve: (connection) => connection.edges,
    }),
    nodes: t.field({
      type: [UserInterface],
      description: 'The users of this page, without cursors.',
      resolve: (connection) => connection.edges.map((edge) => edge.node),
    }),
    pageInfo: t.field({
      type: UserPageInfoType,
      description: 'Cursors and whether more users follow.',
      resolve: (connection) => connection.pageInfo,
    }),
    totalCount: t.int({
      nullable: true,
      description:
        'How many users the whole list holds, when every directory in it reports a count for this filter; null otherwise.',
      resolve: (connection) => connection.totalCount,
    }),
  }),
});

type ArgBuilder = Parameters<Parameters<typeof builder.queryFields>[0]>[0]['arg'];

const listArgs = (arg: ArgBuilder) => ({
  first: arg.int({
    required: false,
    defaultValue: DEFAULT_FIRST,
    description: `How many users to return, 1 to ${MAX_FIRST}.`,
  }),
  after: arg.string({ required: false, description: 'An `endCursor` or edge `cursor` of the same list.' }),
  filter: arg({ type: UserFilterInput, required: false, description: 'Only users matching this.' }),
  orderBy: arg({
    type: UserOrderEnum,
    required: false,
    defaultValue: 'CREATED_AT_ASC',
    description: 'Creation order; oldest first by default.',
  }),
});

builder.queryFields((t) => ({
  users: t.field({
    ...costs(mergedUsers),
    ...needs('users:read'),
    nullable: true,
    type: UserConnectionType,
    description:
      'Users of every directory (or of those named in `directories`) as one list in creation order, then directory, then local id. A directory that fails is left out of the page with an error naming it; its users come on later pages.',
    args: {
      ...listArgs(t.arg),
      directories: t.arg.stringList({
        required: false,
        description: 'Only these directories (configured names); all by default.',
      }),
    },
    resolve: (_root, args, ctx, info) => {
      const chosen = chooseDirectories(ctx, args.directories);
      return listUsers(ctx, info, chosen, args as ListArgs, false);
    },
  }),
}));

builder.objectField(DirectoryType, 'users', (t) =>
  t.field({
    ...costs(directoryUsers),
    ...needs('users:read'),
    nullable: true,
    type: UserConnectionType,
    description:
      'The directory’s users in creation order, paged over the provider’s own paging (as many upstream pages as `first` needs, no more).',
    args: listArgs(t.arg),
    resolve: (directory, args, ctx, info) => listUsers(ctx, info, [directory], args as ListArgs, true),
  }),
);
