import type { AppServicesUser, Email, Identity, JsonObject } from '../../directory/model.js';
import { fromEpochSeconds } from '../../directory/timestamp.js';
import type { WireUser, WireUserIdentity } from './wire.js';

/** Maps one App Services user to the unified model. Pure. */
export function mapUser(wire: WireUser, directory: string): AppServicesUser {
  const data: JsonObject = wire.data ?? {};
  const identities = wire.identities ?? [];
  const givenName = stringField(data, 'first_name');
  const familyName = stringField(data, 'last_name');
  const joinedName = [givenName, familyName].filter((part) => part !== null).join(' ');
  const lastAuthentication = wire.last_authentication_date
    ? fromEpochSeconds(wire.last_authentication_date)
    : null;
  return {
    provider: 'app-services',
    directory,
    localId: wire._id,
    kind: wire.type === 'server' ? 'MACHINE' : 'HUMAN',
    status: wire.disabled ? 'DISABLED' : 'ACTIVE',
    displayName: stringField(data, 'name') ?? (joinedName === '' ? null : joinedName),
    givenName,
    familyName,
    username: null,
    emails: emailsOf(data, identities),
    phoneNumbers: [],
    hasPassword: hasProvider(identities, 'local-userpass'),
    passwordChangedAt: null,
    passwordChangeRequired: null,
    identities: identities.map(mapIdentity),
    createdAt: fromEpochSeconds(wire.creation_date),
    updatedAt: null,
    lastSignInAt: lastAuthentication,
    type: wire.type,
    data,
    lastAuthenticationAt: lastAuthentication,
  };
}

/**
 * App Services has no verified flag. The email counts as verified when a provider vouched for it: a
 * `local-userpass` identity (the list holds confirmed users only, so the registration was confirmed) or
 * a Google/Apple identity (the IdP verified it). Any other source (custom JWT, function, anonymous,
 * Facebook, api-key) is taken as unverified, so it never links accounts across directories.
 */
function emailsOf(data: JsonObject, identities: readonly WireUserIdentity[]): Email[] {
  const address = stringField(data, 'email');
  if (address === null) return [];
  const verified = identities.some((identity) => VOUCHING_PROVIDERS.has(identity.provider_type));
  return [{ address, verified, primary: true }];
}

const VOUCHING_PROVIDERS: ReadonlySet<string> = new Set(['local-userpass', 'oauth2-google', 'oauth2-apple']);

function mapIdentity(identity: WireUserIdentity): Identity {
  return {
    provider: identity.provider_type,
    providerUserId: identity.id,
    userName: null,
    claims: identity.provider_data ?? null,
  };
}

function hasProvider(identities: readonly WireUserIdentity[], type: string): boolean {
  return identities.some((identity) => identity.provider_type === type);
}

function stringField(data: JsonObject, key: string): string | null {
  const value = data[key];
  return typeof value === 'string' && value !== '' ? value : null;
}
