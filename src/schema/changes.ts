import { capabilities, changesPage, changeUser } from '../cost/field-costs.js';
import { type Capabilities, CHANGE_KINDS, type Change } from '../directory/change-model.js';
import { encodeChangeId, encodeGroupId, encodeUserId } from '../directory/global-id.js';
import { builder, costs, needs } from '../graphql/builder.js';
import { directoryError } from '../use-cases/capability.js';
import { chooseDirectories } from '../use-cases/choose-directories.js';
import {
  type ChangeArgs,
  type ChangeConnectionShape,
  DEFAULT_CHANGES_FIRST,
  listChanges,
  MAX_CHANGES_FIRST,
} from '../use-cases/list-changes.js';
import { type FeedEvent, type SubscribeArgs, subscribeChanges } from '../use-cases/subscribe-changes.js';
import { DirectoryType } from './directory.js';
import { UserInterface } from './user.js';

// The change feed and each directory's capabilities.

export const ChangeKindEnum = builder.enumType('ChangeKind', {
  description: 'What a change did, normalised across providers; `rawType` keeps the provider’s own.',
  values: Object.fromEntries(CHANGE_KINDS.map((kind) => [kind, {}])) as Record<
    (typeof CHANGE_KINDS)[number],
    object
  >,
});

const ChangeType = builder.objectRef<Change>('Change').implement({
  description: 'One change in a directory.',
  fields: (t) => ({
    id: t.id({
      description: 'Unique across the feed (directory and the provider’s event id).',
      resolve: (change) => encodeChangeId(change.directory, change.id),
    }),
    at: t.expose('at', { type: 'DateTime', description: 'When it happened (the directory’s clock).' }),
    kind: t.field({ type: ChangeKindEnum, description: 'What it did.', resolve: (change) => change.kind }),
    rawType: t.exposeString('rawType', { description: 'The provider’s event type or code.' }),
    directoryName: t.exposeString('directory', { description: 'The directory it happened in.' }),
    userId: t.id({
      nullable: true,
      description: 'The global id of the account it concerns (it may since have been deleted).',
      resolve: (change) => (change.userId === null ? null : encodeUserId(change.directory, change.userId)),
    }),
    groupId: t.id({
      nullable: true,
      description: 'The global id of the group it concerns, if any.',
      resolve: (change) => (change.groupId === null ? null : encodeGroupId(change.directory, change.groupId)),
    }),
    user: t.field({
      ...costs(changeUser),
      ...needs('users:read'),
      type: UserInterface,
      nullable: true,
      description: 'The account as it is now (null if it no longer exists).',
      resolve: async (change, _args, ctx) => {
        if (change.userId === null) return null;
        const directory = ctx.directories.getOrThrow(change.directory);
        return ctx.loaders
          .user(directory)
          .load(change.userId)
          .catch((error: unknown) => {
            throw directoryError(directory, error);
          });
      },
    }),
  }),
});

const ChangeEdge = builder.objectRef<ChangeConnectionShape['edges'][number]>('ChangeEdge').implement({
  description: 'One change, with the cursor that resumes the feed right after it.',
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: 'Pass as `after` to read the changes after this one.' }),
    node: t.field({ type: ChangeType, description: 'The change.', resolve: (edge) => edge.node }),
  }),
});

const ChangePageInfo = builder.objectRef<ChangeConnectionShape['pageInfo']>('ChangePageInfo').implement({
  description: 'Where a page of the feed stands.',
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage', {
      description: 'Whether more changes can be read right now (poll again later either way).',
    }),
    startCursor: t.exposeString('startCursor', { nullable: true, description: 'The first edge’s cursor.' }),
    endCursor: t.exposeString('endCursor', {
      nullable: true,
      description: 'Always given: pass as `after` on the next poll, even after an empty page.',
    }),
  }),
});

const ChangeConnection = builder.objectRef<ChangeConnectionShape>('ChangeConnection').implement({
  description: 'A page of changes, oldest first.',
  fields: (t) => ({
    edges: t.field({ type: [ChangeEdge], resolve: (c) => c.edges, description: 'Changes with cursors.' }),
    nodes: t.field({
      type: [ChangeType],
      resolve: (c) => c.edges.map((e) => e.node),
      description: 'Changes.',
    }),
    pageInfo: t.field({
      type: ChangePageInfo,
      resolve: (c) => c.pageInfo,
      description: 'Paging and polling.',
    }),
    historyTruncated: t.exposeBoolean('historyTruncated', {
      description: 'True when a directory’s history does not reach back to `since` (older changes are gone).',
    }),
  }),
});

type ArgBuilder = Parameters<Parameters<typeof builder.queryFields>[0]>[0]['arg'];

const changeArgs = (arg: ArgBuilder) => ({
  since: arg({
    type: 'DateTime',
    required: false,
    description:
      'For a fresh scan: changes strictly after this time (absent: from the start of each history).',
  }),
  first: arg.int({
    required: false,
    defaultValue: DEFAULT_CHANGES_FIRST,
    description: `How many changes to return, 1 to ${MAX_CHANGES_FIRST}.`,
  }),
  after: arg.string({
    required: false,
    description:
      'An `endCursor` or edge `cursor` from an earlier page of the same feed; `since` is then ignored.',
  }),
});

builder.objectField(DirectoryType, 'changes', (t) =>
  t.field({
    ...costs(changesPage('parent')),
    ...needs('changes:read'),
    type: ChangeConnection,
    nullable: true,
    description:
      'The directory’s changes, oldest first; resumable by cursor (see `capabilities` for what it covers).',
    args: changeArgs(t.arg),
    resolve: (directory, args, ctx, info) => listChanges(ctx, info, [directory], args as ChangeArgs, true),
  }),
);

builder.queryFields((t) => ({
  changes: t.field({
    ...costs(changesPage('chosen')),
    ...needs('changes:read'),
    type: ChangeConnection,
    nullable: true,
    description:
      'Changes of every directory (or those named) merged oldest first, one cursor for all. A directory that fails keeps its place and is reported; its changes come on a later poll.',
    args: {
      ...changeArgs(t.arg),
      directories: t.arg.stringList({
        required: false,
        description: 'Only these directories; all by default.',
      }),
    },
    resolve: (_root, args, ctx, info) => {
      const chosen = chooseDirectories(ctx, args.directories);
      return listChanges(ctx, info, chosen, args as ChangeArgs, false);
    },
  }),
}));

const CapabilitiesType = builder.objectRef<Capabilities>('DirectoryCapabilities').implement({
  description:
    'What a directory can serve beyond users. A field it cannot serve answers null with a coded error.',
  fields: (t) => ({
    groups: t.exposeBoolean('groups', { description: 'Groups and memberships.' }),
    roles: t.exposeBoolean('roles', { description: 'Role assignments.' }),
    sessions: t.exposeBoolean('sessions', { description: 'Active sessions (plans permitting).' }),
    changeKinds: t.field({
      type: [ChangeKindEnum],
      description: 'The kinds of change its feed can report.',
      resolve: (c) => [...c.changeKinds],
    }),
    changeRetentionDays: t.exposeInt('changeRetentionDays', {
      nullable: true,
      description: 'How far back its change history reaches; null when unbounded or undocumented.',
    }),
    changesComplete: t.exposeBoolean('changesComplete', {
      description: 'Whether every change of the listed kinds appears in the feed.',
    }),
    notes: t.exposeStringList('notes', { description: 'What limits these answers.' }),
  }),
});

builder.objectField(DirectoryType, 'capabilities', (t) =>
  t.field({
    ...costs(capabilities),
    authenticated: true,
    type: CapabilitiesType,
    nullable: true,
    description: 'What the directory can serve beyond users (ZITADEL: its group service is probed once).',
    resolve: async (directory, _args, ctx) => {
      if (!directory.capabilities) return null;
      return directory.capabilities(ctx.call).catch((error: unknown) => {
        throw directoryError(directory, error);
      });
    },
  }),
);

const ChangeEventType = builder.objectRef<FeedEvent>('ChangeEvent').implement({
  description: 'One change pushed to a subscriber, with the cursor that resumes right after it.',
  fields: (t) => ({
    cursor: t.exposeString('cursor', {
      description: 'Pass as `after` to resume after this change (reconnecting, or on another replica).',
    }),
    change: t.field({ type: ChangeType, description: 'The change.', resolve: (event) => event.change }),
  }),
});

builder.subscriptionType({
  description: 'Changes pushed as they happen (GraphQL over SSE): docs/querying.md, "The change feed".',
});

builder.subscriptionField('changes', (t) =>
  t.field({
    ...needs('changes:read'),
    type: ChangeEventType,
    nullable: true,
    description:
      'Every change of the chosen directories as the cluster’s pollers read it, each directory in its own order; from now, or right after `after`. Ends with CHANGES_EXPIRED when `after` is older than the stream keeps, and with UNAUTHENTICATED when the token expires.',
    args: {
      after: t.arg.string({
        required: false,
        description: 'A `cursor` of an earlier event: resume right after it.',
      }),
      directories: t.arg.stringList({
        required: false,
        description: 'Only these directories; all by default.',
      }),
      kinds: t.arg({ type: [ChangeKindEnum], required: false, description: 'Only changes of these kinds.' }),
    },
    subscribe: (_root, args, ctx) => subscribeChanges(ctx, args as SubscribeArgs),
    resolve: (event) => event,
  }),
);
