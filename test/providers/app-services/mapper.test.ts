import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mapUser } from '../../../src/providers/app-services/mapper.js';
import { type ProviderType, WireUser, WireUserList } from '../../../src/providers/app-services/wire.js';
import {
  EXAMPLE_SERVER_USER,
  EXAMPLE_USERPASS_USER,
  PROVIDER_IDS,
  toWireUser,
} from '../../../src/simulators/app-services/records.js';
import { generatePeople } from '../../../src/simulators/people.js';

const pageExample: unknown = JSON.parse(
  readFileSync(new URL('../../fixtures/app-services-get-user.json', import.meta.url), 'utf8'),
);

describe('app-services mapper: the "Get a User" page example, verbatim', () => {
  it('is on contract and maps every field', () => {
    const wire = WireUser.parse(pageExample);
    // Dropped on purpose: identities[].provider_id (the id of the app's auth-provider configuration, not
    // of the person; Identity has no place for it and `provider_type` already names the provider).
    expect(mapUser(wire, 'mobile')).toEqual({
      provider: 'app-services',
      directory: 'mobile',
      localId: 'string',
      kind: 'HUMAN',
      status: 'DISABLED',
      displayName: null,
      givenName: null,
      familyName: null,
      username: null,
      emails: [],
      phoneNumbers: [],
      hasPassword: false,
      passwordChangedAt: null,
      passwordChangeRequired: null,
      identities: [{ provider: 'anon-user', providerUserId: 'string', userName: null, claims: null }],
      createdAt: Date.parse('1970-01-01T00:00:42.000Z'),
      updatedAt: null,
      lastSignInAt: Date.parse('1970-01-01T00:00:42.000Z'),
      type: 'normal',
      data: {},
      lastAuthenticationAt: Date.parse('1970-01-01T00:00:42.000Z'),
    });
  });
});

describe('app-services mapper: realistic users', () => {
  it('maps an email/password user: verified email, password, no names', () => {
    const user = mapUser(WireUser.parse(EXAMPLE_USERPASS_USER), 'mobile');
    expect(user).toMatchObject({
      localId: '5eb95afd3c9a7e21d04f8b16',
      kind: 'HUMAN',
      status: 'ACTIVE',
      displayName: null,
      emails: [{ address: 'grace.hopper@example.com', verified: true, primary: true }],
      hasPassword: true,
      createdAt: Date.parse('2020-05-11T14:02:37.000Z'),
      lastSignInAt: Date.parse('2024-11-03T17:45:12.000Z'),
      lastAuthenticationAt: Date.parse('2024-11-03T17:45:12.000Z'),
      identities: [
        {
          provider: 'local-userpass',
          providerUserId: '5eb95afd3c9a7e21d04f8b15',
          userName: null,
          claims: null,
        },
      ],
    });
  });

  it('maps a server (api-key) user to a MACHINE named by data.name', () => {
    const user = mapUser(WireUser.parse(EXAMPLE_SERVER_USER), 'mobile');
    expect(user).toMatchObject({
      kind: 'MACHINE',
      type: 'server',
      displayName: 'nightly-export',
      emails: [],
      hasPassword: false,
    });
  });

  it('maps a generated Google user: names from data, claims from provider_data', () => {
    const account = generatePeople().appServices.find(
      (a) => a.kind === 'human' && a.emailVerified && a.identities.some((i) => i.provider === 'google'),
    );
    if (!account) throw new Error('seed data has no verified Google user');
    const wire = WireUser.parse(toWireUser(account));
    const user = mapUser(wire, 'mobile');
    const google = account.identities.find((i) => i.provider === 'google');
    expect(user.displayName).toBe(account.displayName);
    expect(user.givenName).toBe(account.givenName);
    expect(user.familyName).toBe(account.familyName);
    expect(user.emails).toEqual([{ address: account.email, verified: true, primary: true }]);
    expect(user.createdAt).toBe(account.createdAt * 1000);
    expect(user.identities).toContainEqual({
      provider: 'oauth2-google',
      providerUserId: google?.providerUserId,
      userName: null,
      claims: { email: account.email, name: account.displayName },
    });
    expect(user.data).toEqual(wire.data);
  });

  it('joins first and last name when data has no name', () => {
    const user = mapUser(
      WireUser.parse({
        ...EXAMPLE_USERPASS_USER,
        data: { email: 'a@example.com', first_name: 'Ada', last_name: 'Byron' },
      }),
      'mobile',
    );
    expect(user).toMatchObject({ displayName: 'Ada Byron', givenName: 'Ada', familyName: 'Byron' });
    expect(
      mapUser(WireUser.parse({ ...EXAMPLE_USERPASS_USER, data: { first_name: 'Ada' } }), 'm').displayName,
    ).toBe('Ada');
  });

  it('counts an email as verified only when local-userpass, Google or Apple vouched for it', () => {
    const verifiedWith = (...types: ProviderType[]) =>
      mapUser(
        WireUser.parse({
          ...EXAMPLE_USERPASS_USER,
          identities: types.map((type) => ({
            id: 'x',
            provider_type: type,
            provider_id: PROVIDER_IDS[type],
          })),
        }),
        'mobile',
      ).emails[0]?.verified;
    expect(verifiedWith('oauth2-apple')).toBe(true);
    expect(verifiedWith('oauth2-google')).toBe(true);
    expect(verifiedWith('anon-user', 'local-userpass')).toBe(true);
    expect(verifiedWith('custom-token')).toBe(false);
    expect(verifiedWith('oauth2-facebook')).toBe(false);
    expect(verifiedWith()).toBe(false);
  });

  it('handles absent data, identities and last_authentication_date (and 0 as never)', () => {
    const { data, identities, last_authentication_date, ...bare } = EXAMPLE_USERPASS_USER;
    const wire = WireUser.parse(bare);
    const user = mapUser(wire, 'mobile');
    expect(user).toMatchObject({
      data: {},
      identities: [],
      emails: [],
      hasPassword: false,
      displayName: null,
      lastSignInAt: null,
      lastAuthenticationAt: null,
    });
    expect(mapUser({ ...wire, last_authentication_date: 0 }, 'm').lastSignInAt).toBeNull();
  });
});

describe('app-services wire schema', () => {
  it('accepts extra keys and rejects off-contract payloads', () => {
    expect(WireUser.safeParse({ ...EXAMPLE_USERPASS_USER, extra: 1 }).success).toBe(true);
    const { type, ...untyped } = EXAMPLE_USERPASS_USER;
    expect(WireUser.safeParse(untyped).success).toBe(false);
    expect(WireUser.safeParse({ ...EXAMPLE_USERPASS_USER, creation_date: '2020-05-11' }).success).toBe(false);
    expect(WireUser.safeParse({ ...EXAMPLE_USERPASS_USER, data: null }).success).toBe(false);
    expect(
      WireUser.safeParse({
        ...EXAMPLE_USERPASS_USER,
        identities: [{ id: 'x', provider_type: 'github', provider_id: 'y' }],
      }).success,
    ).toBe(false);
    expect(WireUserList.safeParse(Array.from({ length: 51 }, () => EXAMPLE_USERPASS_USER)).success).toBe(
      false,
    );
  });
});
