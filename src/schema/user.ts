import { directoryUserById, perUser, usersById } from '../cost/field-costs.js';
import type { User } from '../directory/model.js';
import { builder, costs, needs } from '../graphql/builder.js';
import { loadUserByGlobalId } from '../use-cases/load-user.js';
import { EmailType, PhoneNumberType } from './contact.js';
import { IdentityType, PasskeyType } from './credentials.js';
import { DirectoryType } from './directory.js';
import { NodeInterface, USER_TYPE_NAME } from './node.js';

export const UserKindEnum = builder.enumType('UserKind', {
  description: 'Whether an account belongs to a person or to software.',
  values: {
    HUMAN: { description: 'A person.' },
    MACHINE: {
      description:
        'A service account, API key user or other non-person (ZITADEL machine, App Services server).',
    },
  } as const,
});

export const UserStatusEnum = builder.enumType('UserStatus', {
  description:
    'The account state, mapped from each provider: MonoCloud `disabled` → DISABLED, a current `block_until` (or legacy `blocked`) → BLOCKED; ZITADEL `USER_STATE_*` one to one; App Services `disabled` → DISABLED; otherwise ACTIVE.',
  values: {
    ACTIVE: { description: 'Can sign in.' },
    INACTIVE: { description: 'Deactivated by an administrator (ZITADEL).' },
    DISABLED: { description: 'Disabled by an administrator (MonoCloud, App Services).' },
    BLOCKED: { description: 'Temporarily blocked, e.g. after failed sign-ins (MonoCloud).' },
    LOCKED: { description: 'Locked after failed sign-ins (ZITADEL).' },
    INITIAL: { description: 'Created but not yet set up by its holder (ZITADEL).' },
    DELETED: { description: 'Deleted (ZITADEL).' },
  } as const,
});

export const UserInterface = builder.interfaceRef<User>('User').implement({
  description:
    'One account in one directory. Every directory fills these fields (null where it has no such fact); each concrete type adds its provider’s own.',
  interfaces: [NodeInterface],
  resolveType: (user) => USER_TYPE_NAME[user.provider],
  fields: (t) => ({
    localId: t.exposeString('localId', { description: 'The directory’s own id for the account.' }),
    directoryName: t.exposeString('directory', {
      description:
        'The configured name of the directory holding the account; with `localId`, a key other services can reference the account by.',
    }),
    directory: t.field({
      type: DirectoryType,
      description: 'The directory holding the account.',
      resolve: (user, _args, ctx) => {
        const directory = ctx.directories.get(user.directory);
        if (!directory) throw new Error(`user from unknown directory ${user.directory}`);
        return directory;
      },
    }),
    kind: t.field({ type: UserKindEnum, description: 'Person or machine.', resolve: (user) => user.kind }),
    status: t.field({
      type: UserStatusEnum,
      nullable: true,
      description: 'The account state; null only when the directory reports none.',
      resolve: (user) => user.status,
    }),
    displayName: t.exposeString('displayName', {
      nullable: true,
      description: 'The name to show for the account.',
    }),
    givenName: t.exposeString('givenName', { nullable: true, description: 'Given (first) name.' }),
    familyName: t.exposeString('familyName', { nullable: true, description: 'Family (last) name.' }),
    username: t.exposeString('username', {
      nullable: true,
      description: 'The sign-in user name, if the directory has one.',
    }),
    emails: t.field({
      ...needs('users:read:contact'),
      nullable: true,
      type: [EmailType],
      description: 'Email addresses, primary first.',
      resolve: (user) => user.emails,
    }),
    primaryEmail: t.field({
      ...needs('users:read:contact'),
      type: EmailType,
      nullable: true,
      description: 'The primary email address, or the first one if none is marked primary.',
      resolve: (user) => user.emails.find((email) => email.primary) ?? user.emails[0] ?? null,
    }),
    phoneNumbers: t.field({
      ...needs('users:read:contact'),
      nullable: true,
      type: [PhoneNumberType],
      description: 'Phone numbers.',
      resolve: (user) => user.phoneNumbers,
    }),
    passkeys: t.field({
      ...costs(perUser((rules) => rules.passkeysPerUser)),
      ...needs('users:read:credentials'),
      type: [PasskeyType],
      nullable: true,
      description:
        'Registered passkeys; null where the directory has no passkeys (App Services). ZITADEL passkeys are fetched only when asked for.',
      resolve: (user, _args, ctx) => {
        if (user.provider === 'monocloud') return user.passkeys;
        if (user.provider === 'app-services') return null;
        const directory = ctx.directories.get(user.directory);
        return directory?.getPasskeys
          ? ctx.loaders.passkeys(directory as Required<typeof directory>).load(user.localId)
          : null;
      },
    }),
    identities: t.field({
      ...costs(perUser((rules) => rules.identitiesPerUser)),
      ...needs('users:read:credentials'),
      type: [IdentityType],
      nullable: true,
      description: 'Linked external identities. ZITADEL IdP links are fetched only when asked for.',
      resolve: (user, _args, ctx) => {
        if (user.provider !== 'zitadel') return user.identities;
        const directory = ctx.directories.get(user.directory);
        return directory?.getIdentities
          ? ctx.loaders.identities(directory as Required<typeof directory>).load(user.localId)
          : null;
      },
    }),
    hasPassword: t.exposeBoolean('hasPassword', {
      ...needs('users:read:credentials'),
      nullable: true,
      description: 'Whether the account has a password; null when the directory does not say.',
    }),
    passwordChangedAt: t.expose('passwordChangedAt', {
      ...needs('users:read:credentials'),
      type: 'DateTime',
      nullable: true,
      description: 'When the password was last set or changed.',
    }),
    passwordChangeRequired: t.exposeBoolean('passwordChangeRequired', {
      ...needs('users:read:credentials'),
      nullable: true,
      description: 'Whether the holder must change the password at next sign-in.',
    }),
    createdAt: t.expose('createdAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the account was created.',
    }),
    updatedAt: t.expose('updatedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the account last changed.',
    }),
    fetchedAt: t.field({
      type: 'DateTime',
      description:
        'When usergraph read this record from its directory: when it was cached, for a user served from the user cache; otherwise when this request began.',
      resolve: (user, _args, ctx) => user.fetchedAt ?? ctx.startedAt,
    }),
    lastSignInAt: t.expose('lastSignInAt', {
      ...needs('users:read:activity'),
      type: 'DateTime',
      nullable: true,
      description: 'The last successful sign-in, where the directory records one.',
    }),
  }),
});

builder.queryFields((t) => ({
  user: t.field({
    ...costs(usersById('id')),
    ...needs('users:read'),
    type: UserInterface,
    nullable: true,
    description: 'The account with this global id, or null if its directory has no such account.',
    args: { id: t.arg.id({ description: 'A global id from `User.id`.' }) },
    resolve: (_root, args, ctx) => loadUserByGlobalId(ctx, String(args.id), 'id'),
  }),
}));

builder.objectField(DirectoryType, 'user', (t) =>
  t.field({
    ...costs(directoryUserById),
    ...needs('users:read'),
    type: UserInterface,
    nullable: true,
    description:
      'The account with this directory-local id (the provider’s own id), or null if there is none.',
    args: { id: t.arg.string({ description: 'The provider’s own user id, as in `User.localId`.' }) },
    resolve: (directory, args, ctx) => ctx.loaders.user(directory).load(args.id),
  }),
);
