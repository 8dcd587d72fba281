import { describe, expect, it } from 'vitest';
import type { MonoCloudUser } from '../../../src/directory/model.js';
import { mapUser, toTimestamp } from '../../../src/providers/monocloud/mapper.js';
import { wireUser, wireUserList, wireUserSummary } from '../../../src/providers/monocloud/wire.js';
import { JOHN_DOE } from '../../../src/simulators/monocloud/john-doe.js';
import { toSummary, toUserRecord } from '../../../src/simulators/monocloud/records.js';
import { generatePeople } from '../../../src/simulators/people.js';
import { JOHN_DOE_MODEL } from '../../support/john-doe.js';
import { fieldPaths, fixture } from './fixtures.js';

const NOW = new Date('2025-06-01T00:00:00Z');

const getUserPayload = fixture<Record<string, unknown>>('monocloud-get-user.json');
const listPayload = fixture<Record<string, unknown>[]>('monocloud-list-users.json');
const currentPayload = fixture<Record<string, unknown>>('monocloud-current-user.json');

/**
 * Where each payload field goes. Every field of every fixture must be listed here, either with the model
 * field it becomes or, under DROPPED, with the reason it is left out.
 */
const MAPPED: Record<string, string> = {
  user_id: 'localId',
  disabled: 'status',
  claims: 'claims, displayName, givenName, familyName',
  public_data: 'publicData',
  private_data: 'privateData',
  'emails[].email': 'emails[].address',
  'emails[].verified': 'emails[].verified',
  'emails[].primary': 'emails[].primary',
  'phone_numbers[].phone': 'phoneNumbers[].number',
  'phone_numbers[].verified': 'phoneNumbers[].verified',
  'phone_numbers[].primary': 'phoneNumbers[].primary',
  'passkeys[].passkey_id': 'passkeys[].id',
  'passkeys[].name': 'passkeys[].name',
  'passkeys[].aa_guid': 'passkeys[].aaguid',
  'passkeys[].public_key': 'passkeys[].publicKey',
  'passkeys[].user_agent': 'passkeys[].userAgent',
  'passkeys[].backup_eligibility': 'passkeys[].backupEligible',
  'passkeys[].backup_state': 'passkeys[].backedUp',
  'passkeys[].user_present': 'passkeys[].userPresent',
  'passkeys[].user_verified': 'passkeys[].userVerified',
  'idps[].authenticator': 'identities[].provider',
  'idps[].provider_user_id': 'identities[].providerUserId',
  'idps[].claims': 'identities[].claims',
  'external_providers[].authenticator': 'identities[].provider',
  'external_providers[].provider_user_id': 'identities[].providerUserId',
  'external_providers[].claims': 'identities[].claims',
  'username.username': 'username',
  creation_time: 'createdAt',
  last_updated: 'updatedAt',
  has_password: 'hasPassword',
  password_updated_at: 'passwordChangedAt',
  force_password_reset: 'forcePasswordReset, passwordChangeRequired',
  blocked: 'blocked, status',
  block_until: 'blockedUntil, blocked, status',
  failure_count: 'failureCount',
  sign_in_count: 'signInSuccessCount',
  sign_in_success_count: 'signInSuccessCount',
  sign_in_attempts_count: 'signInAttemptsCount',
  last_sign_in_attempt: 'lastSignInAttemptAt',
  last_sign_in_success: 'lastSignInAt',
  last_sign_in_ip: 'lastSignInIp',
  last_sign_in_success_ip: 'lastSignInIp',
  last_activity: 'lastActivityAt',
  last_known_city: 'lastKnownLocation.city',
  last_known_region: 'lastKnownLocation.region',
  last_known_country: 'lastKnownLocation.country',
  'connections[].idp': 'connections[].idp',
  'connections[].connection_id': 'connections[].connectionId',
};

const DROPPED: Record<string, string> = {
  'emails[].id': 'identifier record ids address MonoCloud sub-resources; the model keys emails by address',
  'phone_numbers[].id': 'same as emails[].id',
  'username.id': 'same as emails[].id',
  'emails[].authenticators': 'per-identifier auth methods are not in the unified model',
  'phone_numbers[].authenticators': 'per-identifier auth methods are not in the unified model',
  'username.authenticators': 'per-identifier auth methods are not in the unified model',
  'emails[].idps': 'per-identifier IdP lists are not in the unified model (identities carry the links)',
  'phone_numbers[].idps': 'per-identifier IdP lists are not in the unified model',
  'username.idps': 'per-identifier IdP lists are not in the unified model',
  'emails[].source': 'where an identifier came from is not in the unified model',
  'emails[].verification_source': 'how an identifier was verified is not in the unified model',
  'phone_numbers[].source': 'where an identifier came from is not in the unified model',
  'phone_numbers[].verification_source': 'how an identifier was verified is not in the unified model',
  'username.source': 'where an identifier came from is not in the unified model',
  last_sign_in_attempt_ip:
    'the model keeps the IP of the last successful sign-in (lastSignInIp); an attempt is not a sign-in',
};

function expectAccounted(...payloads: unknown[]): void {
  const paths = new Set(payloads.flatMap((payload) => fieldPaths(payload)));
  expect([...paths].filter((path) => !(path in MAPPED) && !(path in DROPPED))).toEqual([]);
}

describe('toTimestamp', () => {
  it('converts unix seconds exactly and keeps null', () => {
    expect(toTimestamp(1640975400)).toBe(Date.parse('2021-12-31T18:30:00.000Z'));
    expect(toTimestamp(0)).toBe(Date.parse('1970-01-01T00:00:00.000Z'));
    expect(toTimestamp(null)).toBeNull();
    expect(toTimestamp(undefined)).toBeNull();
  });
});

describe('mapUser: "Get a user" page (legacy shape, verbatim)', () => {
  const wire = wireUser.parse(getUserPayload);
  const user = mapUser(wire, 'acme', NOW);

  it('accounts for every payload field', () => expectAccounted(getUserPayload));

  it('maps every field', () => {
    expect(user).toEqual<MonoCloudUser>(JOHN_DOE_MODEL);
  });

  it('is the payload the simulator serves for John Doe', () => {
    expect(JOHN_DOE).toEqual(getUserPayload);
  });
});

describe('mapUser: "Get all users" page (legacy summary shape, verbatim)', () => {
  const [wire] = wireUserList.parse(listPayload);
  const user = mapUser(wire as NonNullable<typeof wire>, 'acme', NOW);

  it('accounts for every payload field', () => {
    expect(listPayload).toHaveLength(1);
    expectAccounted(listPayload[0]);
  });

  it('maps the summary: no public/private data, identities without claims, fields it lacks are null', () => {
    expect(user).toMatchObject({
      localId: 'UOtBaOybB6dTpIJNrnkRw',
      status: 'DISABLED',
      displayName: 'John Doe',
      username: 'username',
      emails: [{ address: 'user@example.com', verified: true, primary: false }],
      phoneNumbers: [{ number: '+441514960453', verified: true, primary: false }],
      identities: [
        {
          provider: 'google',
          providerUserId: '79a500f9-aba6-4f03-baec-c18f4b7136ad',
          userName: null,
          claims: null,
        },
      ],
      passwordChangedAt: Date.parse('2021-12-31T18:30:00.000Z'),
      createdAt: Date.parse('2021-12-31T18:30:00.000Z'),
      publicData: null,
      privateData: null,
      blocked: false,
      signInSuccessCount: null,
      lastSignInAttemptAt: null,
      lastSignInIp: null,
    });
    expect(user.passkeys).toHaveLength(1);
  });
});

describe('mapUser: current shape', () => {
  const wire = wireUser.parse(currentPayload);

  it('accounts for every payload field', () => expectAccounted(currentPayload));

  it('maps every field', () => {
    expect(mapUser(wire, 'acme', NOW)).toEqual<MonoCloudUser>({
      provider: 'monocloud',
      directory: 'acme',
      localId: 'k2Fq9ZrLw0TxY7bNc4VdA',
      kind: 'HUMAN',
      status: 'BLOCKED',
      displayName: 'Ada Lovelace',
      givenName: 'Ada',
      familyName: 'Lovelace',
      username: 'ada',
      emails: [
        { address: 'ada@example.com', verified: true, primary: true },
        { address: 'ada.l@example.org', verified: false, primary: false },
      ],
      phoneNumbers: [{ number: '+15555550123', verified: false, primary: true }],
      passkeys: [
        {
          id: 'pk_Z3x9Qw7Lm2Vb5Nc8Tr4Ys',
          name: null,
          aaguid: 'fbfc3007-154e-4ecc-8c0b-6e020557d7bd',
          publicKey: 'cHVibGljLWtleS1ieXRlcw==',
          userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X)',
          backupEligible: true,
          backedUp: true,
          userPresent: true,
          userVerified: false,
        },
      ],
      identities: [
        {
          provider: 'github',
          providerUserId: '58213390',
          userName: null,
          claims: { email: 'ada@example.com', name: 'Ada Lovelace', sub: '58213390' },
        },
      ],
      hasPassword: true,
      passwordChangedAt: Date.parse('2022-04-15T05:20:00.000Z'),
      passwordChangeRequired: true,
      forcePasswordReset: true,
      createdAt: Date.parse('2021-12-31T18:30:00.000Z'),
      updatedAt: Date.parse('2023-11-14T22:13:20.000Z'),
      lastSignInAt: Date.parse('2023-11-14T19:26:40.000Z'),
      lastSignInAttemptAt: Date.parse('2023-11-14T21:56:40.000Z'),
      lastSignInIp: '198.51.100.7',
      signInSuccessCount: 42,
      signInAttemptsCount: 48,
      failureCount: 6,
      blocked: true,
      blockedUntil: Date.parse('2030-01-01T00:00:00.000Z'),
      lastActivityAt: Date.parse('2023-11-14T20:50:00.000Z'),
      lastKnownLocation: { city: 'London', region: 'England', country: 'GB' },
      connections: [
        { idp: 'monocloud', connectionId: 'cn_7YdT2wQpLm4sVb8xRz1aF' },
        { idp: 'github', connectionId: 'cn_Hq3mX9sLk2Vb7Nw4Tz8cE' },
      ],
      claims: { name: 'Ada Lovelace', given_name: 'Ada', family_name: 'Lovelace', locale: 'en-GB' },
      publicData: { theme: 'dark' },
      privateData: { crm_id: 4471 },
    });
  });

  it('is ACTIVE once block_until has passed, and DISABLED wins over a running lockout', () => {
    const after = new Date('2030-01-01T00:00:01Z');
    expect(mapUser(wire, 'acme', after)).toMatchObject({ status: 'ACTIVE', blocked: false });
    expect(mapUser({ ...wire, disabled: true }, 'acme', NOW)).toMatchObject({
      status: 'DISABLED',
      blocked: true,
    });
    expect(mapUser({ ...wire, block_until: null }, 'acme', NOW)).toMatchObject({
      status: 'ACTIVE',
      blocked: false,
      blockedUntil: null,
    });
  });

  it('maps a legacy blocked flag to BLOCKED', () => {
    const legacy = wireUser.parse({ ...getUserPayload, disabled: false, blocked: true });
    expect(mapUser(legacy, 'acme', NOW)).toMatchObject({
      status: 'BLOCKED',
      blocked: true,
      blockedUntil: null,
    });
  });

  it('accepts null timestamps (the SDK tests send last_updated: null)', () => {
    const nulls = wireUser.parse({
      ...currentPayload,
      creation_time: null,
      last_updated: null,
      password_updated_at: null,
      last_sign_in_success: null,
      last_activity: null,
      last_known_city: null,
      last_known_region: null,
      last_known_country: null,
    });
    expect(mapUser(nulls, 'acme', NOW)).toMatchObject({
      createdAt: null,
      updatedAt: null,
      passwordChangedAt: null,
      lastSignInAt: null,
      lastActivityAt: null,
      lastKnownLocation: null,
    });
  });

  it('builds the display name from given and family names when there is no name claim', () => {
    const base = wireUser.parse(currentPayload);
    const named = (claims: Record<string, unknown>) => mapUser({ ...base, claims }, 'acme', NOW);
    expect(named({ given_name: 'Ada', family_name: 'Lovelace' }).displayName).toBe('Ada Lovelace');
    expect(named({ family_name: 'Lovelace' }).displayName).toBe('Lovelace');
    expect(named({ name: 42, given_name: ['x'] })).toMatchObject({ displayName: null, givenName: null });
    expect(named({})).toMatchObject({ displayName: null, givenName: null, familyName: null });
  });

  it('maps the summary of a current-shape user with null data and claim-less identities', () => {
    const account = generatePeople({ perDirectory: 50 }).monocloud.find((a) => a.identities.length > 0);
    if (!account) throw new Error('the seed has no account with a linked identity');
    const record = toUserRecord(account);
    const summary = wireUserSummary.parse(toSummary(record));
    expect('public_data' in summary).toBe(false);
    const user = mapUser(summary, 'acme', NOW);
    expect(user).toMatchObject({ localId: record.user_id, publicData: null, privateData: null });
    expect(user.identities.length).toBeGreaterThan(0);
    expect(user.identities.every((identity) => identity.claims === null)).toBe(true);
  });
});

describe('mapUser: simulator-generated users', () => {
  const accounts = generatePeople({ perDirectory: 200 }).monocloud;

  it('decode as the current shape and map the seed status and facts', () => {
    const records = accounts.map(toUserRecord);
    expectAccounted(...records);
    for (const [index, account] of accounts.entries()) {
      const user = mapUser(wireUser.parse(records[index]), 'acme', NOW);
      const expected =
        account.status === 'disabled'
          ? 'DISABLED'
          : account.status === 'blocked' || account.status === 'locked'
            ? 'BLOCKED'
            : 'ACTIVE';
      expect(user.status).toBe(expected);
      expect(user.createdAt).toBe(account.createdAt * 1000);
      expect(user.emails.map((email) => email.address)).toEqual(account.email ? [account.email] : []);
      expect(user.identities.map((identity) => identity.providerUserId)).toEqual(
        account.identities.map((identity) => identity.providerUserId),
      );
      expect(user.passkeys.map((passkey) => passkey.aaguid)).toEqual(account.passkeys.map((p) => p.aaguid));
      expect(user.passwordChangeRequired).toBe(account.status === 'initial');
      expect(user.localId).toMatch(/^[A-Za-z0-9]{21}$/);
    }
  });
});

describe('wire schemas', () => {
  it('reject a user without user_id or with a wrongly typed required field', () => {
    const { user_id: _id, ...withoutId } = currentPayload;
    expect(wireUser.safeParse(withoutId).success).toBe(false);
    expect(wireUser.safeParse({ ...currentPayload, disabled: 'no' }).success).toBe(false);
    expect(wireUser.safeParse({ ...currentPayload, emails: [{ email: 'x@example.com' }] }).success).toBe(
      false,
    );
  });

  it('require public/private data and identity claims on get-one, not on list items', () => {
    const { public_data: _p, ...withoutPublic } = currentPayload;
    expect(wireUser.safeParse(withoutPublic).success).toBe(false);
    expect(wireUserSummary.safeParse(withoutPublic).success).toBe(true);
    expect(wireUser.safeParse(listPayload[0]).success).toBe(false);
  });

  it('ignore unknown fields and accept an IdP name it does not know yet', () => {
    const parsed = wireUser.parse({
      ...currentPayload,
      brand_new_field: 1,
      external_providers: [{ authenticator: 'okta', provider_user_id: 'u1', claims: {} }],
    });
    expect('brand_new_field' in parsed).toBe(false);
    expect(parsed.external_providers?.[0]?.authenticator).toBe('okta');
  });
});
