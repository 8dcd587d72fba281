import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ZitadelUser } from '../../../src/directory/model.js';
import { toIdentity, toPasskeys, toZitadelUser } from '../../../src/providers/zitadel/mapper.js';
import {
  getUserByIdResponseSchema,
  listUsersResponseSchema,
  optionalText,
  userSchema,
  type WireUser,
} from '../../../src/providers/zitadel/wire.js';

// The three fixtures are built from the "User by ID" page schema and README §2.3 (the page shows
// no example payload), in the protojson form the server sends.
function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8'));
}

const human = getUserByIdResponseSchema.parse(fixture('zitadel-get-user-human.json'));
const machine = getUserByIdResponseSchema.parse(fixture('zitadel-get-user-machine.json'));
const list = listUsersResponseSchema.parse(fixture('zitadel-list-users.json'));
const [, sparseHuman, sparseMachine] = list.result ?? [];

function user(partial: Partial<WireUser> & Pick<WireUser, 'userId'>): WireUser {
  return userSchema.parse({ human: {}, ...partial });
}

describe('toZitadelUser: the human fixture (GetUserByID)', () => {
  const mapped = toZitadelUser(human.user, 'corp');

  it('maps every field', () => {
    expect(mapped).toEqual<ZitadelUser>({
      provider: 'zitadel',
      directory: 'corp',
      localId: '69629012906488334',
      kind: 'HUMAN',
      status: 'ACTIVE',
      displayName: 'Minnie Mouse',
      givenName: 'Minnie',
      familyName: 'Mouse',
      username: 'minnie-mouse',
      emails: [{ address: 'mini@mouse.com', verified: true, primary: true }],
      phoneNumbers: [{ number: '+41791234567', verified: true, primary: true }],
      hasPassword: true,
      passwordChangedAt: Date.parse('2024-04-05T09:31:07.412Z'),
      passwordChangeRequired: true,
      createdAt: Date.parse('2024-04-05T09:28:23.210Z'),
      updatedAt: Date.parse('2025-01-14T16:02:11.730Z'),
      lastSignInAt: null,
      loginNames: ['minnie-mouse@acme.zitadel.cloud', 'minnie-mouse@acme.example.com'],
      preferredLoginName: 'minnie-mouse@acme.zitadel.cloud',
      nickname: 'Mini',
      preferredLanguage: 'en',
      gender: 'FEMALE',
      avatarUrl: 'https://acme.zitadel.cloud/assets/v1/69628327886848001/users/69629012906488334/avatar',
      resourceOwner: '69628327886848001',
      sequence: '2',
      mfaInitSkippedAt: Date.parse('2024-04-05T09:31:20.118Z'),
      machine: null,
    });
  });

  it('accounts for every leaf of the wire user: mapped, or deliberately dropped', () => {
    const raw = (fixture('zitadel-get-user-human.json') as { user: unknown }).user;
    const mappedFrom: Record<string, unknown> = {
      userId: mapped.localId,
      'details.sequence': mapped.sequence,
      'details.changeDate': mapped.updatedAt,
      'details.resourceOwner': mapped.resourceOwner,
      'details.creationDate': mapped.createdAt,
      state: mapped.status,
      username: mapped.username,
      'loginNames.0': mapped.loginNames[0],
      'loginNames.1': mapped.loginNames[1],
      preferredLoginName: mapped.preferredLoginName,
      'human.profile.givenName': mapped.givenName,
      'human.profile.familyName': mapped.familyName,
      'human.profile.nickName': mapped.nickname,
      'human.profile.displayName': mapped.displayName,
      'human.profile.preferredLanguage': mapped.preferredLanguage,
      'human.profile.gender': mapped.gender,
      'human.profile.avatarUrl': mapped.avatarUrl,
      'human.email.email': mapped.emails[0]?.address,
      'human.email.isVerified': mapped.emails[0]?.verified,
      'human.phone.phone': mapped.phoneNumbers[0]?.number,
      'human.phone.isVerified': mapped.phoneNumbers[0]?.verified,
      'human.passwordChangeRequired': mapped.passwordChangeRequired,
      'human.passwordChanged': mapped.passwordChangedAt,
      'human.mfaInitSkipped': mapped.mfaInitSkippedAt,
    };
    for (const [path, value] of Object.entries(mappedFrom)) {
      expect(value, path).not.toBeNull();
      expect(value, path).not.toBeUndefined();
    }
    expect(leafPaths(raw).sort()).toEqual(Object.keys(mappedFrom).sort());
    // Dropped on purpose: the response-level `details`, a deprecated copy of `user.details`.
    expect(human.details).toEqual(human.user.details);
  });

  it('normalises protojson timestamps (micro/nanoseconds, no fraction, offsets) to the model form', () => {
    const mappedTimes = toZitadelUser(
      user({
        userId: '1',
        details: { creationDate: '2024-09-23T06:30:00Z', changeDate: '2024-09-23T08:30:00.123456789+02:00' },
      }),
      'corp',
    );
    expect(mappedTimes.createdAt).toBe(Date.parse('2024-09-23T06:30:00.000Z'));
    expect(mappedTimes.updatedAt).toBe(Date.parse('2024-09-23T06:30:00.123Z'));
  });
});

describe('toZitadelUser: the machine fixture', () => {
  it('maps every field; human-only facts are null or empty', () => {
    expect(toZitadelUser(machine.user, 'corp')).toEqual<ZitadelUser>({
      provider: 'zitadel',
      directory: 'corp',
      localId: '72308086471133947',
      kind: 'MACHINE',
      status: 'ACTIVE',
      displayName: 'CI deployer',
      givenName: null,
      familyName: null,
      username: 'ci-deployer',
      emails: [],
      phoneNumbers: [],
      hasPassword: null,
      passwordChangedAt: null,
      passwordChangeRequired: null,
      createdAt: Date.parse('2024-06-18T07:45:12.340Z'),
      updatedAt: Date.parse('2024-11-02T08:00:41.550Z'),
      lastSignInAt: null,
      loginNames: ['ci-deployer@acme.zitadel.cloud'],
      preferredLoginName: 'ci-deployer@acme.zitadel.cloud',
      nickname: null,
      preferredLanguage: null,
      gender: null,
      avatarUrl: null,
      resourceOwner: '69628327886848001',
      sequence: '4',
      mfaInitSkippedAt: null,
      machine: {
        name: 'CI deployer',
        description: 'Deploys releases from the CI pipeline',
        hasSecret: true,
        accessTokenType: 'JWT',
      },
    });
  });
});

describe('toZitadelUser: protojson omissions in the list fixture', () => {
  it('reads the list envelope: uint64 strings, sorting column, three users', () => {
    expect(list.details).toEqual({
      totalResult: '3',
      processedSequence: '267831',
      timestamp: '2025-02-03T10:15:42.883211Z',
    });
    expect(list.sortingColumn).toBe('USER_FIELD_NAME_CREATION_DATE');
    expect(list.result?.map((entry) => entry.userId)).toEqual([
      '69629012906488334',
      '70612980647068559',
      '75821356154880377',
    ]);
  });

  it('a sparse human: absent state → null, absent isVerified → false, phone {} → no phone', () => {
    if (!sparseHuman) throw new Error('fixture lacks the sparse human');
    const mapped = toZitadelUser(sparseHuman, 'corp');
    expect(mapped.status).toBeNull();
    expect(mapped.emails).toEqual([{ address: 'goofy@example.com', verified: false, primary: true }]);
    expect(mapped.phoneNumbers).toEqual([]);
    expect(mapped.passwordChangeRequired).toBe(false);
    expect(mapped.hasPassword).toBeNull();
    expect(mapped.passwordChangedAt).toBeNull();
    expect(mapped.mfaInitSkippedAt).toBeNull();
    // The server sends proto3 `optional` profile fields even when empty: "", "und", GENDER_UNSPECIFIED.
    expect(mapped.displayName).toBe('Goofy Goof');
    expect(mapped.nickname).toBeNull();
    expect(mapped.preferredLanguage).toBeNull();
    expect(mapped.gender).toBeNull();
    expect(mapped.avatarUrl).toBeNull();
  });

  it('a sparse machine: absent hasSecret → false, absent accessTokenType → BEARER', () => {
    if (!sparseMachine) throw new Error('fixture lacks the sparse machine');
    const mapped = toZitadelUser(sparseMachine, 'corp');
    expect(mapped.kind).toBe('MACHINE');
    expect(mapped.status).toBe('INACTIVE');
    expect(mapped.displayName).toBe('legacy-importer');
    expect(mapped.machine).toEqual({
      name: 'legacy-importer',
      description: null,
      hasSecret: false,
      accessTokenType: 'BEARER',
    });
  });

  it('an almost empty human: no names, no contact, no dates', () => {
    const mapped = toZitadelUser(user({ userId: '9' }), 'corp');
    expect(mapped).toMatchObject({
      kind: 'HUMAN',
      status: null,
      displayName: null,
      givenName: null,
      username: null,
      emails: [],
      phoneNumbers: [],
      loginNames: [],
      preferredLoginName: null,
      createdAt: null,
      updatedAt: null,
      resourceOwner: null,
      sequence: null,
    });
  });
});

describe('toZitadelUser: enums', () => {
  it.each([
    ['USER_STATE_UNSPECIFIED', null],
    ['USER_STATE_ACTIVE', 'ACTIVE'],
    ['USER_STATE_INACTIVE', 'INACTIVE'],
    ['USER_STATE_DELETED', 'DELETED'],
    ['USER_STATE_LOCKED', 'LOCKED'],
    ['USER_STATE_INITIAL', 'INITIAL'],
  ] as const)('state %s → %s', (state, status) => {
    expect(toZitadelUser(user({ userId: '1', state }), 'corp').status).toBe(status);
  });

  it.each([
    ['GENDER_UNSPECIFIED', null],
    ['GENDER_FEMALE', 'FEMALE'],
    ['GENDER_MALE', 'MALE'],
    ['GENDER_DIVERSE', 'DIVERSE'],
  ] as const)('gender %s → %s', (gender, mapped) => {
    expect(toZitadelUser(user({ userId: '1', human: { profile: { gender } } }), 'corp').gender).toBe(mapped);
  });
});

describe('wire schemas', () => {
  it('accept uint64 as a number too (protojson readers do) and keep it a string', () => {
    const parsed = listUsersResponseSchema.parse({
      details: { totalResult: 2, processedSequence: '5' },
      result: [{ userId: '1', details: { sequence: 7 }, machine: {} }],
    });
    // Read as sent (the body is checked in place, src/http/compiled-schema.ts); made a string where kept.
    expect(parsed.details?.totalResult).toBe(2);
    expect(optionalText(parsed.details?.processedSequence)).toBe('5');
    const user = parsed.result?.[0];
    expect(user && toZitadelUser(user, 'acme').sequence).toBe('7');
  });

  it('ignore keys the contract does not use (HumanUser fields 1–5, newer additions)', () => {
    const parsed = userSchema.parse({
      userId: '1',
      human: { userId: '1', state: 'USER_STATE_ACTIVE', profile: { givenName: 'A' } },
      metadata: [{ key: 'k' }],
    });
    expect(parsed.human?.profile?.givenName).toBe('A');
  });

  it.each([
    ['a missing userId', { human: {} }],
    ['both human and machine', { userId: '1', human: {}, machine: {} }],
    ['neither human nor machine', { userId: '1' }],
    ['an unknown state', { userId: '1', human: {}, state: 'USER_STATE_SUSPENDED' }],
    ['a timestamp that is not RFC 3339', { userId: '1', human: {}, details: { creationDate: 1712309303 } }],
    ['a negative sequence', { userId: '1', human: {}, details: { sequence: -1 } }],
  ])('reject %s', (_, value) => {
    expect(userSchema.safeParse(value).success).toBe(false);
  });

  it('reject a result that is not an array', () => {
    expect(listUsersResponseSchema.safeParse({ result: {} }).success).toBe(false);
  });
});

describe('toIdentity and toPasskeys', () => {
  it('an IdP link becomes an identity keyed by the IdP id, without claims', () => {
    expect(toIdentity({ idpId: 'idp-1', userId: 'ext-9', userName: 'mini@mouse.com' })).toEqual({
      provider: 'idp-1',
      providerUserId: 'ext-9',
      userName: 'mini@mouse.com',
      claims: null,
    });
    expect(toIdentity({ idpId: 'idp-1', userId: 'ext-9' }).userName).toBeNull();
  });

  it('keeps ready (and unspecified) passkeys, drops unfinished and removed ones; WebAuthn facts are null', () => {
    const passkeys = toPasskeys([
      { id: 'p1', state: 'AUTH_FACTOR_STATE_READY', name: 'iCloud Keychain' },
      { id: 'p2', state: 'AUTH_FACTOR_STATE_NOT_READY', name: 'half-registered' },
      { id: 'p3', state: 'AUTH_FACTOR_STATE_REMOVED', name: 'gone' },
      { id: 'p4' },
    ]);
    expect(passkeys).toEqual([
      {
        id: 'p1',
        name: 'iCloud Keychain',
        aaguid: null,
        publicKey: null,
        userAgent: null,
        backupEligible: null,
        backedUp: null,
        userPresent: null,
        userVerified: null,
      },
      expect.objectContaining({ id: 'p4', name: null }),
    ]);
  });
});

function leafPaths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([key, inner]) => leafPaths(inner, prefix ? `${prefix}.${key}` : key));
}
