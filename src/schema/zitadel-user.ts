import type { ZitadelMachineDetails, ZitadelUser } from '../directory/model.js';
import { builder, needs } from '../graphql/builder.js';
import { NodeInterface } from './node.js';
import { UserInterface } from './user.js';

const GenderEnum = builder.enumType('ZitadelGender', {
  description: 'Gender as recorded in a ZITADEL profile.',
  values: {
    FEMALE: { description: 'GENDER_FEMALE.' },
    MALE: { description: 'GENDER_MALE.' },
    DIVERSE: { description: 'GENDER_DIVERSE.' },
  } as const,
});

const AccessTokenTypeEnum = builder.enumType('ZitadelAccessTokenType', {
  description: 'The access token format a ZITADEL machine user receives.',
  values: {
    BEARER: { description: 'Opaque bearer token.' },
    JWT: { description: 'JSON Web Token.' },
  } as const,
});

const MachineType = builder.objectRef<ZitadelMachineDetails>('ZitadelMachine').implement({
  description: 'What ZITADEL records about a machine (service) user.',
  fields: (t) => ({
    name: t.exposeString('name', { nullable: true, description: 'The machine user’s name.' }),
    description: t.exposeString('description', { nullable: true, description: 'What it is for.' }),
    hasSecret: t.exposeBoolean('hasSecret', {
      ...needs('users:read:credentials'),
      nullable: true,
      description: 'Whether it has a client secret.',
    }),
    accessTokenType: t.field({
      ...needs('users:read:credentials'),
      nullable: true,
      type: AccessTokenTypeEnum,
      description: 'The access token format it receives.',
      resolve: (machine) => machine.accessTokenType,
    }),
  }),
});

export const ZitadelUserType = builder.objectRef<ZitadelUser>('ZitadelUser').implement({
  description: 'An account in a ZITADEL instance (human or machine).',
  interfaces: [NodeInterface, UserInterface],
  fields: (t) => ({
    loginNames: t.exposeStringList('loginNames', {
      ...needs('users:read:contact'),
      nullable: true,
      description: 'Every login name that signs in this user.',
    }),
    preferredLoginName: t.exposeString('preferredLoginName', {
      ...needs('users:read:contact'),
      nullable: true,
      description: 'The preferred login name.',
    }),
    nickname: t.exposeString('nickname', { nullable: true, description: 'Nickname.' }),
    preferredLanguage: t.exposeString('preferredLanguage', {
      nullable: true,
      description: 'Preferred language (BCP 47).',
    }),
    gender: t.field({
      ...needs('users:read:private'),
      type: GenderEnum,
      nullable: true,
      description: 'Gender, if recorded.',
      resolve: (user) => user.gender,
    }),
    avatarUrl: t.exposeString('avatarUrl', { nullable: true, description: 'Avatar image URL.' }),
    resourceOwner: t.exposeString('resourceOwner', {
      nullable: true,
      description: 'The organization (or instance) that owns the user.',
    }),
    sequence: t.exposeString('sequence', {
      nullable: true,
      description: 'The sequence of the last event applied to the user (a uint64, as a string).',
    }),
    mfaInitSkippedAt: t.expose('mfaInitSkippedAt', {
      ...needs('users:read:credentials'),
      type: 'DateTime',
      nullable: true,
      description: 'When the user skipped setting up multi-factor authentication.',
    }),
    machine: t.expose('machine', {
      type: MachineType,
      nullable: true,
      description: 'Machine details; null for humans.',
    }),
  }),
});
