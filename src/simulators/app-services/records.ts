import type { SeedAccount } from '../people.js';
import type {
  ProviderType,
  UserPayload as WireUser,
  UserIdentityPayload as WireUserIdentity,
} from './payloads.js';

// Seed accounts as App Services users (adminGetUser / adminListUsers wire shape), plus two example users
// shaped like the "Get a User" page's example with realistic values.

/** A 24-hex ObjectId: 4 bytes of creation time (big-endian seconds), then 8 bytes of per-record entropy. */
export function objectId(seconds: number, entropyHex: string): string {
  const time = (seconds >>> 0).toString(16).padStart(8, '0');
  return time + entropyHex.padStart(16, '0').slice(-16);
}

/** When the demo app (and so its auth providers) was created: 2020-03-02T10:15:00Z. */
const APP_CREATED = 1_583_144_100;

/** One fixed provider ObjectId per provider type, as App Services gives each configured provider an `_id`. */
export const PROVIDER_IDS: Readonly<Record<ProviderType, string>> = {
  'anon-user': objectId(APP_CREATED, 'c0ffee0000000001'),
  'local-userpass': objectId(APP_CREATED, 'c0ffee0000000002'),
  'api-key': objectId(APP_CREATED, 'c0ffee0000000003'),
  'oauth2-apple': objectId(APP_CREATED, 'c0ffee0000000004'),
  'oauth2-google': objectId(APP_CREATED, 'c0ffee0000000005'),
  'oauth2-facebook': objectId(APP_CREATED, 'c0ffee0000000006'),
  'custom-token': objectId(APP_CREATED, 'c0ffee0000000007'),
  'custom-function': objectId(APP_CREATED, 'c0ffee0000000008'),
};

/** An email/password user (2020-05-11), whose `data` holds only what that provider knows: the email. */
export const EXAMPLE_USERPASS_USER: WireUser = {
  _id: '5eb95afd3c9a7e21d04f8b16',
  identities: [
    {
      id: '5eb95afd3c9a7e21d04f8b15',
      provider_type: 'local-userpass',
      provider_id: PROVIDER_IDS['local-userpass'],
    },
  ],
  type: 'normal',
  creation_date: 1_589_205_757,
  last_authentication_date: 1_730_655_912,
  disabled: false,
  data: { email: 'grace.hopper@example.com' },
};

/** A server user created through the api-key provider (2020-09-20); `data.name` is the key's name. */
export const EXAMPLE_SERVER_USER: WireUser = {
  _id: '5f67130891d2c4a0be7730e2',
  identities: [
    { id: '5f67130891d2c4a0be7730e1', provider_type: 'api-key', provider_id: PROVIDER_IDS['api-key'] },
  ],
  type: 'server',
  creation_date: 1_600_590_600,
  last_authentication_date: 1_751_004_003,
  disabled: false,
  data: { name: 'nightly-export' },
};

/** The example users first, then the seed accounts; sorted by `_id` (so by creation time), ids unique. */
export function buildRecords(accounts: readonly SeedAccount[]): WireUser[] {
  const records = [EXAMPLE_USERPASS_USER, EXAMPLE_SERVER_USER, ...accounts.map(toWireUser)];
  records.sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0));
  const ids = new Set(records.map((record) => record._id));
  if (ids.size !== records.length) throw new Error('app-services simulator: duplicate user _id in seed data');
  return records;
}

const DISABLED_STATUSES: ReadonlySet<SeedAccount['status']> = new Set(['disabled', 'blocked', 'locked']);

/**
 * One seed account as an App Services user. Humans whose email is verified sign in with email/password
 * (`local-userpass`) and/or Google/Apple; a human whose email is unverified signs in through a custom JWT
 * (`custom-token`), the one way App Services lists an account whose email nobody confirmed.
 */
export function toWireUser(account: SeedAccount): WireUser {
  const identityEntropy = flipHex(account.salt);
  const user: WireUser = {
    _id: objectId(account.createdAt, account.salt),
    identities:
      account.kind === 'machine'
        ? [identity('api-key', objectId(account.createdAt, identityEntropy))]
        : humanIdentities(account, identityEntropy),
    type: account.kind === 'machine' ? 'server' : 'normal',
    creation_date: account.createdAt,
    disabled: DISABLED_STATUSES.has(account.status),
    data:
      account.kind === 'machine'
        ? { name: account.username }
        : {
            ...(account.email === null ? {} : { email: account.email }),
            name: account.displayName,
            first_name: account.givenName,
            last_name: account.familyName,
          },
  };
  return account.lastSignInAt === null ? user : withLastAuthentication(user, account.lastSignInAt);
}

function humanIdentities(account: SeedAccount, identityEntropy: string): WireUserIdentity[] {
  const verified = account.email !== null && account.emailVerified;
  if (!verified) return [identity('custom-token', `jwt|${account.salt}`)];
  // App Services has no GitHub or Microsoft provider; those seed identities have no counterpart here.
  // `provider_data` is realm-cli's optional field; its keys here are a plausible guess (UNCONFIRMED).
  const oauth = account.identities.flatMap((seed): WireUserIdentity[] => {
    if (seed.provider !== 'google' && seed.provider !== 'apple') return [];
    const type = seed.provider === 'google' ? 'oauth2-google' : 'oauth2-apple';
    return [
      {
        ...identity(type, seed.providerUserId),
        provider_data: { email: account.email, name: account.displayName },
      },
    ];
  });
  const password = account.hasPassword || oauth.length === 0;
  return password
    ? [identity('local-userpass', objectId(account.createdAt, identityEntropy)), ...oauth]
    : oauth;
}

function identity(type: ProviderType, id: string): WireUserIdentity {
  return { id, provider_type: type, provider_id: PROVIDER_IDS[type] };
}

/** Keeps the wire key order of the API (`last_authentication_date` after `creation_date`). */
function withLastAuthentication(user: WireUser, seconds: number): WireUser {
  const { disabled, data, ...head } = user;
  return { ...head, last_authentication_date: seconds, disabled, data };
}

/** Different entropy from the same salt, so a user's identity id differs from its `_id`. */
function flipHex(hex: string): string {
  return [...hex].map((digit) => (15 - Number.parseInt(digit, 16)).toString(16)).join('');
}
