import { base, en, Faker } from '@faker-js/faker';

// Provider-neutral seed accounts for the three simulators, generated deterministically from a seed.
// About 10% of each directory's accounts belong to people who also have an account in one or two
// other directories under the same (mostly verified) email, so cross-directory linking has real work.

export type SeedStatus = 'active' | 'inactive' | 'disabled' | 'blocked' | 'locked' | 'initial';

export interface SeedPasskey {
  readonly id: string;
  readonly name: string;
  readonly aaguid: string;
  readonly publicKey: string;
  readonly userAgent: string;
  readonly backupEligible: boolean;
  readonly backedUp: boolean;
  readonly userPresent: boolean;
  readonly userVerified: boolean;
}

export interface SeedIdentity {
  readonly provider: 'google' | 'apple' | 'github' | 'microsoft';
  readonly providerUserId: string;
  readonly userName: string;
}

export interface SeedAccount {
  /** Same number for the same person in every directory. */
  readonly personId: number;
  readonly kind: 'human' | 'machine';
  readonly givenName: string;
  readonly familyName: string;
  readonly displayName: string;
  readonly username: string;
  readonly email: string | null;
  readonly emailVerified: boolean;
  readonly phone: string | null;
  readonly phoneVerified: boolean;
  readonly hasPassword: boolean;
  readonly passwordChangedAt: number | null;
  /** Unix seconds. Some accounts share one (a bulk import), so pages split equal timestamps. */
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly lastSignInAt: number | null;
  readonly lastSignInIp: string | null;
  readonly signInCount: number;
  readonly status: SeedStatus;
  readonly passkeys: readonly SeedPasskey[];
  readonly identities: readonly SeedIdentity[];
  readonly city: string;
  readonly country: string;
  readonly language: string;
  readonly gender: 'female' | 'male' | 'diverse' | null;
  /** A stable per-account random source for provider-specific ids. */
  readonly salt: string;
}

export interface SeedData {
  readonly monocloud: readonly SeedAccount[];
  readonly zitadel: readonly SeedAccount[];
  readonly appServices: readonly SeedAccount[];
}

export interface SeedOptions {
  readonly seed?: number;
  /** Generated accounts per directory (the API pages' examples come on top). */
  readonly perDirectory?: number;
}

type DirectoryKey = keyof SeedData;
const DIRECTORIES: readonly DirectoryKey[] = ['monocloud', 'zitadel', 'appServices'];

/** Well-known authenticator AAGUIDs (FIDO metadata), so passkeys look like real devices. */
const AUTHENTICATORS = [
  { aaguid: 'fbfc3007-154e-4ecc-8c0b-6e020557d7bd', name: 'iCloud Keychain' },
  { aaguid: 'ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4', name: 'Google Password Manager' },
  { aaguid: 'bada5566-a7aa-401f-bd96-45619a55120d', name: '1Password' },
  { aaguid: '08987058-cadc-4b81-b6e1-30de50dcbe96', name: 'Windows Hello' },
  { aaguid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8', name: 'YubiKey 5 Series' },
] as const;

const START = Date.UTC(2021, 0, 1) / 1000;
const END = Date.UTC(2026, 5, 30) / 1000;
/** One bulk import moment shared by ~8% of each directory's accounts. */
export const BULK_IMPORT_AT = Date.UTC(2023, 2, 1, 9, 0, 0) / 1000;

export function generatePeople(options: SeedOptions = {}): SeedData {
  const perDirectory = options.perDirectory ?? 200;
  const faker = new Faker({ locale: [en, base], seed: options.seed ?? 42 });
  const accounts: Record<DirectoryKey, SeedAccount[]> = { monocloud: [], zitadel: [], appServices: [] };
  const usedEmails = new Set<string>();
  let personId = 0;

  // People in two or three directories: each directory gets ~10% of its accounts from them.
  const sharedPerDirectory = Math.round(perDirectory * 0.1);
  const sharedTotal = Math.round((sharedPerDirectory * 3) / 2.4);
  for (let i = 0; i < sharedTotal; i += 1) {
    const person = newPerson(faker, personId++, usedEmails, 'human');
    const inAll = i % 5 === 0;
    const skip = DIRECTORIES[i % 3];
    const homes = DIRECTORIES.filter((d) => inAll || d !== skip);
    homes.forEach((directory, index) => {
      if (accounts[directory].length >= perDirectory) return;
      // Every seventh shared person left the email unverified in one directory: it must never link there.
      const unverifiedHere = i % 7 === 3 && index === homes.length - 1;
      accounts[directory].push(accountFor(faker, person, { emailVerified: !unverifiedHere }));
    });
  }

  for (const directory of DIRECTORIES) {
    while (accounts[directory].length < perDirectory) {
      const kind = directory !== 'monocloud' && faker.number.float() < 0.05 ? 'machine' : 'human';
      const person = newPerson(faker, personId++, usedEmails, kind);
      accounts[directory].push(accountFor(faker, person, { emailVerified: faker.number.float() < 0.85 }));
    }
    // A bulk import: a few accounts created in the same second.
    accounts[directory].forEach((account, index) => {
      if (index % 12 === 5) {
        accounts[directory][index] = {
          ...account,
          createdAt: BULK_IMPORT_AT,
          updatedAt: Math.max(account.updatedAt, BULK_IMPORT_AT),
        };
      }
    });
    accounts[directory].sort((a, b) => a.createdAt - b.createdAt);
  }
  return accounts;
}

type Person = Omit<
  SeedAccount,
  | 'emailVerified'
  | 'createdAt'
  | 'updatedAt'
  | 'lastSignInAt'
  | 'lastSignInIp'
  | 'signInCount'
  | 'status'
  | 'passkeys'
  | 'identities'
  | 'salt'
  | 'passwordChangedAt'
  | 'hasPassword'
  | 'phoneVerified'
>;

function newPerson(
  faker: Faker,
  personId: number,
  usedEmails: Set<string>,
  kind: 'human' | 'machine',
): Person {
  if (kind === 'machine') {
    const service = `${faker.hacker.noun().replace(/\s+/g, '-')}-${faker.string.alphanumeric({ length: 4, casing: 'lower' })}`;
    return {
      personId,
      kind,
      givenName: service,
      familyName: '',
      displayName: `${service} (service account)`,
      username: service,
      email: null,
      phone: null,
      city: faker.location.city(),
      country: faker.location.countryCode(),
      language: 'en',
      gender: null,
    };
  }
  const sex = faker.person.sexType();
  const givenName = faker.person.firstName(sex);
  const familyName = faker.person.lastName();
  let email = faker.internet
    .email({
      firstName: givenName,
      lastName: familyName,
      provider: faker.helpers.arrayElement(['example.com', 'example.org', 'example.net']),
    })
    .toLowerCase();
  while (usedEmails.has(email)) email = email.replace('@', `${faker.number.int(99)}@`);
  usedEmails.add(email);
  return {
    personId,
    kind,
    givenName,
    familyName,
    displayName: `${givenName} ${familyName}`,
    username: faker.internet.username({ firstName: givenName, lastName: familyName }).toLowerCase(),
    email,
    phone: faker.number.float() < 0.55 ? `+1555${faker.string.numeric(7)}` : null,
    city: faker.location.city(),
    country: faker.location.countryCode(),
    language: faker.helpers.arrayElement(['en', 'en', 'de', 'fr', 'es']),
    gender:
      faker.number.float() < 0.7
        ? sex === 'female'
          ? 'female'
          : 'male'
        : faker.number.float() < 0.1
          ? 'diverse'
          : null,
  };
}

function accountFor(faker: Faker, person: Person, overrides: { emailVerified: boolean }): SeedAccount {
  const createdAt = faker.number.int({ min: START, max: END });
  const updatedAt = faker.number.int({ min: createdAt, max: END + 86_400 * 90 });
  const signedIn = faker.number.float() < 0.85;
  const human = person.kind === 'human';
  const hasPassword = human && faker.number.float() < 0.8;
  const passkeyCount = human && faker.number.float() < 0.3 ? faker.number.int({ min: 1, max: 2 }) : 0;
  const identityCount = human && faker.number.float() < 0.3 ? faker.number.int({ min: 1, max: 2 }) : 0;
  const statusRoll = faker.number.float();
  const status: SeedStatus =
    statusRoll < 0.05
      ? 'disabled'
      : statusRoll < 0.08
        ? 'blocked'
        : statusRoll < 0.1
          ? 'locked'
          : statusRoll < 0.12
            ? 'initial'
            : statusRoll < 0.14
              ? 'inactive'
              : 'active';
  return {
    ...person,
    emailVerified: person.email !== null && overrides.emailVerified,
    phoneVerified: person.phone !== null && faker.number.float() < 0.7,
    hasPassword,
    passwordChangedAt: hasPassword ? faker.number.int({ min: createdAt, max: updatedAt }) : null,
    createdAt,
    updatedAt,
    lastSignInAt: signedIn ? faker.number.int({ min: createdAt, max: updatedAt }) : null,
    lastSignInIp: signedIn ? faker.internet.ipv4() : null,
    signInCount: signedIn ? faker.number.int({ min: 1, max: 400 }) : 0,
    status,
    passkeys: Array.from({ length: passkeyCount }, () => {
      const authenticator = faker.helpers.arrayElement(AUTHENTICATORS);
      const synced = authenticator.name !== 'YubiKey 5 Series' && authenticator.name !== 'Windows Hello';
      return {
        id: faker.string.alphanumeric(43),
        name: authenticator.name,
        aaguid: authenticator.aaguid,
        publicKey: Buffer.from(faker.string.alphanumeric(77)).toString('base64'),
        userAgent: faker.internet.userAgent(),
        backupEligible: synced,
        backedUp: synced,
        userPresent: true,
        userVerified: faker.number.float() < 0.9,
      };
    }),
    identities: Array.from({ length: identityCount }, (_, index) => {
      const provider =
        (['google', 'github', 'apple', 'microsoft'] as const)[(person.personId + index) % 4] ?? 'google';
      return {
        provider,
        providerUserId: provider === 'github' ? faker.string.numeric(8) : faker.string.uuid(),
        userName: person.email ?? person.username,
      };
    }),
    salt: faker.string.hexadecimal({ length: 16, casing: 'lower', prefix: '' }),
  };
}
