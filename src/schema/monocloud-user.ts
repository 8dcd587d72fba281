import type { MonoCloudUser } from '../directory/model.js';
import { builder, needs } from '../graphql/builder.js';
import { NodeInterface } from './node.js';
import { UserInterface } from './user.js';

const LocationType = builder
  .objectRef<NonNullable<MonoCloudUser['lastKnownLocation']>>('MonoCloudLocation')
  .implement({
    description: 'Where MonoCloud last saw the user, from the sign-in IP.',
    fields: (t) => ({
      city: t.exposeString('city', { nullable: true, description: 'City.' }),
      region: t.exposeString('region', { nullable: true, description: 'Region or state.' }),
      country: t.exposeString('country', { nullable: true, description: 'Country.' }),
    }),
  });

const ConnectionType = builder
  .objectRef<MonoCloudUser['connections'][number]>('MonoCloudConnection')
  .implement({
    description: 'A MonoCloud connection the user signs in through.',
    fields: (t) => ({
      idp: t.exposeString('idp', { description: 'The identity provider (`monocloud`, `google`, …).' }),
      connectionId: t.exposeString('connectionId', { description: 'The connection id.' }),
    }),
  });

export const MonoCloudUserType = builder.objectRef<MonoCloudUser>('MonoCloudUser').implement({
  description: 'An account in a MonoCloud directory.',
  interfaces: [NodeInterface, UserInterface],
  fields: (t) => ({
    claims: t.expose('claims', {
      ...needs('users:read:private'),
      nullable: true,
      type: 'JSON',
      description: 'The OIDC profile claims MonoCloud stores.',
    }),
    publicData: t.expose('publicData', {
      ...needs('users:read:private'),
      type: 'JSON',
      nullable: true,
      description: 'Application data the user may read.',
    }),
    privateData: t.expose('privateData', {
      ...needs('users:read:private'),
      type: 'JSON',
      nullable: true,
      description: 'Application data only administrators may read.',
    }),
    blocked: t.exposeBoolean('blocked', { description: 'Whether sign-in is blocked now.' }),
    blockedUntil: t.expose('blockedUntil', {
      type: 'DateTime',
      nullable: true,
      description: 'Until when sign-in is blocked (current API only).',
    }),
    failureCount: t.exposeInt('failureCount', {
      ...needs('users:read:activity'),
      nullable: true,
      description: 'Consecutive failed sign-ins (current API only).',
    }),
    signInAttemptsCount: t.exposeInt('signInAttemptsCount', {
      ...needs('users:read:activity'),
      nullable: true,
      description: 'Sign-in attempts, successful or not.',
    }),
    signInSuccessCount: t.exposeInt('signInSuccessCount', {
      ...needs('users:read:activity'),
      nullable: true,
      description: 'Successful sign-ins.',
    }),
    lastSignInAttemptAt: t.expose('lastSignInAttemptAt', {
      ...needs('users:read:activity'),
      type: 'DateTime',
      nullable: true,
      description: 'The last sign-in attempt, successful or not.',
    }),
    lastSignInIp: t.exposeString('lastSignInIp', {
      ...needs('users:read:activity'),
      nullable: true,
      description: 'The IP of the last sign-in.',
    }),
    lastActivityAt: t.expose('lastActivityAt', {
      ...needs('users:read:activity'),
      type: 'DateTime',
      nullable: true,
      description: 'The last activity MonoCloud recorded.',
    }),
    lastKnownLocation: t.expose('lastKnownLocation', {
      ...needs('users:read:activity'),
      type: LocationType,
      nullable: true,
      description: 'Where the user was last seen.',
    }),
    connections: t.expose('connections', {
      ...needs('users:read:credentials'),
      nullable: true,
      type: [ConnectionType],
      description: 'Connections the user signs in through.',
    }),
    forcePasswordReset: t.exposeBoolean('forcePasswordReset', {
      ...needs('users:read:credentials'),
      nullable: true,
      description: 'Whether the user must reset the password (current API only).',
    }),
  }),
});
