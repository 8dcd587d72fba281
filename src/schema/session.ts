import { perUserBatch } from '../cost/field-costs.js';
import type { Session } from '../directory/access-model.js';
import { builder, costs, needs } from '../graphql/builder.js';
import { directoryError, withRead } from '../use-cases/capability.js';
import { type Connection, edgeCursor, listArgs, PageInfoType, sliceConnection } from './list-connection.js';
import { UserInterface } from './user.js';

// Sessions: active sign-in sessions, which hold IPs and user agents, so they need
// `users:read:activity`. MonoCloud serves them on the Pro plan only (402 → PLAN_REQUIRED).

const SessionType = builder.objectRef<Session>('Session').implement({
  description: 'An active sign-in session.',
  fields: (t) => ({
    id: t.exposeString('id', { description: 'The directory’s session id.' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true, description: 'When it began.' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true, description: 'When it expires.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', nullable: true, description: 'Last activity.' }),
    ip: t.exposeString('ip', { nullable: true, description: 'The client’s IP address, as last seen.' }),
    userAgent: t.exposeString('userAgent', { nullable: true, description: 'The client’s user agent.' }),
    clientIds: t.exposeStringList('clientIds', {
      description: 'Applications the session signed in to (MonoCloud).',
    }),
  }),
});

type SessionConnectionShape = Connection<Session>;

const SessionEdge = builder.objectRef<SessionConnectionShape['edges'][number]>('SessionEdge').implement({
  description: 'One session.',
  fields: (t) => ({
    cursor: t.string({ description: 'Pass as `after` to continue after it.', resolve: edgeCursor }),
    node: t.field({ type: SessionType, description: 'The session.', resolve: (edge) => edge.node }),
  }),
});

const SessionConnection = builder.objectRef<SessionConnectionShape>('SessionConnection').implement({
  description: 'A page of an account’s active sessions.',
  fields: (t) => ({
    edges: t.field({ type: [SessionEdge], resolve: (c) => c.edges, description: 'Sessions with cursors.' }),
    nodes: t.field({
      type: [SessionType],
      resolve: (c) => c.edges.map((e) => e.node),
      description: 'Sessions.',
    }),
    pageInfo: t.field({ type: PageInfoType, resolve: (c) => c.pageInfo, description: 'Paging.' }),
    totalCount: t.exposeInt('totalCount', { nullable: true, description: 'Sessions in all.' }),
  }),
});

builder.interfaceField(UserInterface, 'sessions', (t) =>
  t.field({
    ...costs(perUserBatch((rules) => rules.userSessions)),
    ...needs('users:read:activity'),
    type: SessionConnection,
    nullable: true,
    description:
      'Active sessions (one read per account); null with PLAN_REQUIRED on a MonoCloud plan without sessions, with UNSUPPORTED_BY_PROVIDER where the directory has none.',
    args: listArgs(t.arg),
    resolve: async (user, args, ctx) => {
      const directory = withRead(ctx.directories.getOrThrow(user.directory), 'getUserSessions', 'sessions');
      const sessions = await ctx.loaders
        .userSessions(directory)
        .load(user.localId)
        .catch((error: unknown) => {
          throw directoryError(directory, error);
        });
      return sliceConnection(sessions ?? [], args.first, args.after);
    },
  }),
);
