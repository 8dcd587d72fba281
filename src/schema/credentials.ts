import type { Identity, Passkey } from '../directory/model.js';
import { builder, needs } from '../graphql/builder.js';

export const PasskeyType = builder.objectRef<Passkey>('Passkey').implement({
  description:
    'A WebAuthn credential registered on the account. Facts a directory does not record are null (ZITADEL reports only id and name).',
  fields: (t) => ({
    id: t.exposeString('id', { description: 'The credential id.' }),
    name: t.exposeString('name', {
      nullable: true,
      description: 'The name the user or authenticator gave it.',
    }),
    aaguid: t.exposeString('aaguid', {
      nullable: true,
      description: 'The authenticator model (AAGUID), e.g. iCloud Keychain or a YubiKey series.',
    }),
    publicKey: t.exposeString('publicKey', { nullable: true, description: 'The credential public key.' }),
    userAgent: t.exposeString('userAgent', {
      nullable: true,
      description: 'The browser user agent that registered it.',
    }),
    backupEligible: t.exposeBoolean('backupEligible', {
      nullable: true,
      description: 'Whether the credential may be synced (a multi-device passkey).',
    }),
    backedUp: t.exposeBoolean('backedUp', {
      nullable: true,
      description: 'Whether the credential is synced now.',
    }),
    userPresent: t.exposeBoolean('userPresent', {
      nullable: true,
      description: 'Whether registration proved user presence.',
    }),
    userVerified: t.exposeBoolean('userVerified', {
      nullable: true,
      description: 'Whether registration verified the user (PIN, biometrics).',
    }),
  }),
});

export const IdentityType = builder.objectRef<Identity>('Identity').implement({
  description:
    'An external identity linked to the account (a social login, an enterprise IdP, an auth provider).',
  fields: (t) => ({
    provider: t.exposeString('provider', {
      description: 'The identity provider: `google`, `github`, `local-userpass`, or a ZITADEL IdP id.',
    }),
    providerUserId: t.exposeString('providerUserId', { description: 'The user’s id at that provider.' }),
    userName: t.exposeString('userName', {
      nullable: true,
      description: 'The user name at that provider, where the directory records one.',
    }),
    claims: t.expose('claims', {
      ...needs('users:read:private'),
      type: 'JSON',
      nullable: true,
      description: 'Claims the directory stored from that provider, if any.',
    }),
  }),
});
