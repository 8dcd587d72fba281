import type { SeedAccount, SeedIdentity, SeedStatus } from '../people.js';

// What the ZITADEL simulator serves, already in protojson form (the server omits default values:
// false booleans, zero enums, empty strings and arrays), built from seed accounts plus the two
// example users that the test fixtures also hold.

export interface SimDetails {
  readonly sequence?: string;
  readonly changeDate?: string;
  readonly resourceOwner?: string;
  readonly creationDate?: string;
}

export interface SimHuman {
  readonly profile: {
    readonly givenName?: string;
    readonly familyName?: string;
    readonly nickName?: string;
    readonly displayName?: string;
    readonly preferredLanguage?: string;
    readonly gender?: string;
    readonly avatarUrl?: string;
  };
  readonly email: { readonly email?: string; readonly isVerified?: true };
  readonly phone: { readonly phone?: string; readonly isVerified?: true };
  readonly passwordChangeRequired?: true;
  readonly passwordChanged?: string;
  readonly mfaInitSkipped?: string;
}

export interface SimMachine {
  readonly name?: string;
  readonly description?: string;
  readonly hasSecret?: true;
  readonly accessTokenType?: 'ACCESS_TOKEN_TYPE_JWT';
}

export interface SimUser {
  readonly userId: string;
  readonly details: SimDetails;
  readonly state?: string;
  readonly username?: string;
  readonly loginNames?: readonly string[];
  readonly preferredLoginName?: string;
  readonly human?: SimHuman;
  readonly machine?: SimMachine;
}

export interface SimIdpLink {
  readonly idpId: string;
  readonly userId: string;
  readonly userName?: string;
}

export interface SimPasskey {
  readonly id: string;
  readonly state: 'AUTH_FACTOR_STATE_READY';
  readonly name?: string;
}

export interface ZitadelRecord {
  readonly user: SimUser;
  /** For sorting by creation date without re-parsing protojson timestamps of mixed precision. */
  readonly createdAtMs: number;
  readonly idpLinks: readonly SimIdpLink[];
  readonly passkeys: readonly SimPasskey[];
}

/** The organisation every simulated user belongs to (`details.resourceOwner`). */
export const ZITADEL_ORG_ID = '69628327886848001';
export const ZITADEL_LOGIN_DOMAIN = 'acme.zitadel.cloud';

/** IdP configuration ids, one per external provider the seed people use. */
export const ZITADEL_IDP_IDS: Readonly<Record<SeedIdentity['provider'], string>> = {
  google: '69628424355840002',
  github: '69628449521664002',
  apple: '69628474687488002',
  microsoft: '69628499853312002',
};

const EPOCH_CENTISECONDS = BigInt(Date.UTC(2019, 0, 1) / 10);

/** Sonyflake-like id: 10 ms ticks since 2019 above 22 bits of sequence, so ids grow with creation time. */
export function zitadelId(createdAtMs: number, sequence: number): string {
  const ticks = BigInt(Math.floor(createdAtMs / 10)) - EPOCH_CENTISECONDS;
  return String((ticks << 22n) | BigInt(sequence & 0x3fffff));
}

/** protojson's Timestamp form: no fraction for whole seconds, else 3, 6 or 9 digits. */
export function protoTime(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

export const EXAMPLE_HUMAN_ID = '69629012906488334';
export const EXAMPLE_MACHINE_ID = '72308086471133947';

/** The GetUserByID response for the README §2.3 example user (same as test/fixtures/zitadel-get-user-human.json). */
export const EXAMPLE_HUMAN: SimUser = {
  userId: EXAMPLE_HUMAN_ID,
  details: {
    sequence: '2',
    changeDate: '2025-01-14T16:02:11.730125Z',
    resourceOwner: ZITADEL_ORG_ID,
    creationDate: '2024-04-05T09:28:23.210Z',
  },
  state: 'USER_STATE_ACTIVE',
  username: 'minnie-mouse',
  loginNames: ['minnie-mouse@acme.zitadel.cloud', 'minnie-mouse@acme.example.com'],
  preferredLoginName: 'minnie-mouse@acme.zitadel.cloud',
  human: {
    profile: {
      givenName: 'Minnie',
      familyName: 'Mouse',
      nickName: 'Mini',
      displayName: 'Minnie Mouse',
      preferredLanguage: 'en',
      gender: 'GENDER_FEMALE',
      avatarUrl: `https://acme.zitadel.cloud/assets/v1/${ZITADEL_ORG_ID}/users/${EXAMPLE_HUMAN_ID}/avatar`,
    },
    email: { email: 'mini@mouse.com', isVerified: true },
    phone: { phone: '+41791234567', isVerified: true },
    passwordChangeRequired: true,
    passwordChanged: '2024-04-05T09:31:07.412995Z',
    mfaInitSkipped: '2024-04-05T09:31:20.118372Z',
  },
};

export const EXAMPLE_MACHINE: SimUser = {
  userId: EXAMPLE_MACHINE_ID,
  details: {
    sequence: '4',
    changeDate: '2024-11-02T08:00:41.550Z',
    resourceOwner: ZITADEL_ORG_ID,
    creationDate: '2024-06-18T07:45:12.340Z',
  },
  state: 'USER_STATE_ACTIVE',
  username: 'ci-deployer',
  loginNames: ['ci-deployer@acme.zitadel.cloud'],
  preferredLoginName: 'ci-deployer@acme.zitadel.cloud',
  machine: {
    name: 'CI deployer',
    description: 'Deploys releases from the CI pipeline',
    hasSecret: true,
    accessTokenType: 'ACCESS_TOKEN_TYPE_JWT',
  },
};

const EXAMPLES: readonly ZitadelRecord[] = [
  {
    user: EXAMPLE_HUMAN,
    createdAtMs: Date.parse('2024-04-05T09:28:23.210Z'),
    idpLinks: [
      { idpId: ZITADEL_IDP_IDS.google, userId: '108353867542098711245', userName: 'mini@mouse.com' },
    ],
    passkeys: [{ id: '69629188882183934', state: 'AUTH_FACTOR_STATE_READY', name: 'iCloud Keychain' }],
  },
  { user: EXAMPLE_MACHINE, createdAtMs: Date.parse('2024-06-18T07:45:12.340Z'), idpLinks: [], passkeys: [] },
];

const STATE: Readonly<Record<SeedStatus, string>> = {
  active: 'USER_STATE_ACTIVE',
  inactive: 'USER_STATE_INACTIVE',
  disabled: 'USER_STATE_INACTIVE',
  locked: 'USER_STATE_LOCKED',
  blocked: 'USER_STATE_LOCKED',
  initial: 'USER_STATE_INITIAL',
};

const GENDER = { female: 'GENDER_FEMALE', male: 'GENDER_MALE', diverse: 'GENDER_DIVERSE' } as const;

/** The example users followed by one record per seed account. */
export function buildRecords(accounts: readonly SeedAccount[]): ZitadelRecord[] {
  return [...EXAMPLES, ...accounts.map((account, index) => seedRecord(account, index))];
}

function seedRecord(account: SeedAccount, index: number): ZitadelRecord {
  const createdAtMs = account.createdAt * 1000;
  // Offset the sequence bits so no seed id can equal an example id.
  const userId = zitadelId(createdAtMs, 1000 + index);
  const loginName = `${account.username}@${ZITADEL_LOGIN_DOMAIN}`;
  const user: SimUser = {
    userId,
    details: {
      sequence: String(3 + (index % 17)),
      changeDate: protoTime(account.updatedAt * 1000),
      resourceOwner: ZITADEL_ORG_ID,
      creationDate: protoTime(createdAtMs),
    },
    state: STATE[account.status],
    username: account.username,
    loginNames: [loginName],
    preferredLoginName: loginName,
    ...(account.kind === 'machine' ? { machine: machine(account) } : { human: human(account) }),
  };
  return {
    user,
    createdAtMs,
    idpLinks: account.identities.map((identity) => ({
      idpId: ZITADEL_IDP_IDS[identity.provider],
      userId: identity.providerUserId,
      userName: identity.userName,
    })),
    passkeys: account.passkeys.map((passkey, n) => ({
      id: zitadelId(createdAtMs + (n + 1) * 60_000, 1000 + index),
      state: 'AUTH_FACTOR_STATE_READY',
      name: passkey.name,
    })),
  };
}

function human(account: SeedAccount): SimHuman {
  // The server fills nickName/displayName/preferredLanguage/gender through proto3 `optional`, so they
  // are sent even when empty ("", "und", GENDER_UNSPECIFIED); avatarUrl is a plain string and omitted.
  return {
    profile: {
      givenName: account.givenName,
      familyName: account.familyName,
      nickName: account.salt.startsWith('a') ? account.givenName.slice(0, 3) : '',
      displayName: account.displayName,
      preferredLanguage: account.language || 'und',
      gender: account.gender === null ? 'GENDER_UNSPECIFIED' : GENDER[account.gender],
    },
    email:
      account.email === null
        ? {}
        : { email: account.email, ...(account.emailVerified && { isVerified: true }) },
    phone:
      account.phone === null
        ? {}
        : { phone: account.phone, ...(account.phoneVerified && { isVerified: true }) },
    ...(account.status === 'initial' && { passwordChangeRequired: true }),
    ...(account.passwordChangedAt !== null && {
      passwordChanged: protoTime(account.passwordChangedAt * 1000),
    }),
    ...(account.lastSignInAt !== null &&
      /^[0-3]/.test(account.salt) && { mfaInitSkipped: protoTime(account.lastSignInAt * 1000) }),
  };
}

function machine(account: SeedAccount): SimMachine {
  return {
    name: account.username,
    description: account.displayName,
    ...(/^[0-7]/.test(account.salt) && { hasSecret: true }),
    ...(/[0-4]$/.test(account.salt) && { accessTokenType: 'ACCESS_TOKEN_TYPE_JWT' }),
  };
}
