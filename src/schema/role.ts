import { perUserBatch } from '../cost/field-costs.js';
import type { RoleAssignment } from '../directory/access-model.js';
import { builder, costs, needs } from '../graphql/builder.js';
import { directoryError, withRead } from '../use-cases/capability.js';
import { type Connection, edgeCursor, listArgs, PageInfoType, sliceConnection } from './list-connection.js';
import { UserInterface } from './user.js';

// Roles: ZITADEL authorizations, one assignment per role key. MonoCloud has no roles (its
// groups are what access policies reference) and App Services none: null with UNSUPPORTED_BY_PROVIDER.

const AssignmentStateEnum = builder.enumType('AssignmentState', {
  description: 'Whether a role assignment is in force.',
  values: { ACTIVE: { description: 'In force.' }, INACTIVE: { description: 'Deactivated.' } } as const,
});

const RoleScopeType = builder.objectRef<RoleAssignment['scope']>('RoleScope').implement({
  description: 'What a role applies to.',
  fields: (t) => ({
    kind: t.string({ description: 'PROJECT (a ZITADEL project).', resolve: (scope) => scope.kind }),
    id: t.exposeString('id', { description: 'The project’s id.' }),
    name: t.exposeString('name', { nullable: true, description: 'The project’s name.' }),
    organizationId: t.exposeString('organizationId', { nullable: true, description: 'Its organization.' }),
  }),
});

const RoleAssignmentType = builder.objectRef<RoleAssignment>('RoleAssignment').implement({
  description: 'A role granted to an account.',
  fields: (t) => ({
    id: t.exposeString('id', { description: 'The directory’s id of the grant, with the role key.' }),
    roleKey: t.exposeString('roleKey', { description: 'The role’s key, e.g. `console.admin`.' }),
    roleName: t.exposeString('roleName', { nullable: true, description: 'The role’s display name.' }),
    scope: t.field({ type: RoleScopeType, description: 'What it applies to.', resolve: (r) => r.scope }),
    state: t.field({
      type: AssignmentStateEnum,
      nullable: true,
      description: 'In force or not.',
      resolve: (r) => r.state,
    }),
    createdAt: t.expose('createdAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was granted.',
    }),
    updatedAt: t.expose('updatedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it last changed.',
    }),
  }),
});

type RoleConnectionShape = Connection<RoleAssignment>;

const RoleEdge = builder.objectRef<RoleConnectionShape['edges'][number]>('RoleAssignmentEdge').implement({
  description: 'One role assignment.',
  fields: (t) => ({
    cursor: t.string({ description: 'Pass as `after` to continue after it.', resolve: edgeCursor }),
    node: t.field({ type: RoleAssignmentType, description: 'The assignment.', resolve: (edge) => edge.node }),
  }),
});

const RoleConnection = builder.objectRef<RoleConnectionShape>('RoleAssignmentConnection').implement({
  description: 'A page of an account’s role assignments.',
  fields: (t) => ({
    edges: t.field({ type: [RoleEdge], resolve: (c) => c.edges, description: 'Assignments with cursors.' }),
    nodes: t.field({
      type: [RoleAssignmentType],
      resolve: (c) => c.edges.map((e) => e.node),
      description: 'Assignments.',
    }),
    pageInfo: t.field({ type: PageInfoType, resolve: (c) => c.pageInfo, description: 'Paging.' }),
    totalCount: t.exposeInt('totalCount', { nullable: true, description: 'Assignments in all.' }),
  }),
});

builder.interfaceField(UserInterface, 'roles', (t) =>
  t.field({
    ...costs(perUserBatch((rules) => rules.userRoles)),
    ...needs('roles:read'),
    type: RoleConnection,
    nullable: true,
    description:
      'Roles granted to the account (ZITADEL: one batched read per chunk of users); null with UNSUPPORTED_BY_PROVIDER where the directory has no roles.',
    args: listArgs(t.arg),
    resolve: async (user, args, ctx) => {
      const directory = withRead(ctx.directories.getOrThrow(user.directory), 'getUserRoles', 'roles');
      const roles = await ctx.loaders
        .userRoles(directory)
        .load(user.localId)
        .catch((error: unknown) => {
          throw directoryError(directory, error);
        });
      return sliceConnection(roles ?? [], args.first, args.after);
    },
  }),
);
