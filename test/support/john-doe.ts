import type { MonoCloudUser } from '../../src/directory/model.js';

/**
 * The API page's John Doe (`GET /api/users/{id}`, legacy shape) as the unified model: what the mapper
 * must produce, and what the GraphQL API must expose field for field.
 */
export const JOHN_DOE_MODEL: MonoCloudUser = {
  provider: 'monocloud',
  directory: 'acme',
  localId: 'UOtBaOybB6dTpIJNrnkRw',
  kind: 'HUMAN',
  status: 'DISABLED',
  displayName: 'John Doe',
  givenName: 'John',
  familyName: 'Doe',
  username: 'username',
  emails: [{ address: 'user@example.com', verified: true, primary: false }],
  phoneNumbers: [{ number: '+441514960453', verified: true, primary: false }],
  passkeys: [
    {
      id: 'sM5X24vn_R3YqFvk8o5Hf7l3E1fMeyKnssiAgCYxouA',
      name: 'IPhone 15 Pro Max',
      aaguid: '204a871f-f7c4-465c-a81f-83d7ad4d04ee',
      publicKey:
        'MIICYzCCAcygAwIBAgIBADAMQwwCgYDVQBgQD2bZEoZXIgZm9yIE9TLzM5MCAoUkFDRikwDgYDVR0PAQH/BAQDAgAGMA8GA1UdEwEB/wQFMAMB6Vf1nYi/rO+ryMO',
      userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:127.0) Gecko/20100101 Firefox/127.0',
      backupEligible: true,
      backedUp: true,
      userPresent: true,
      userVerified: true,
    },
  ],
  identities: [
    {
      provider: 'google',
      providerUserId: '79a500f9-aba6-4f03-baec-c18f4b7136ad',
      userName: null,
      claims: { email: 'user@example.com', email_verified: 'true', name: 'John Doe' },
    },
  ],
  hasPassword: true,
  passwordChangedAt: Date.parse('2021-12-31T18:30:00.000Z'),
  passwordChangeRequired: null,
  forcePasswordReset: null,
  createdAt: Date.parse('2021-12-31T18:30:00.000Z'),
  updatedAt: Date.parse('2021-12-31T18:30:00.000Z'),
  // The legacy shape records only the last attempt, which is not a sign-in.
  lastSignInAt: null,
  lastSignInAttemptAt: Date.parse('2021-12-31T18:30:00.000Z'),
  lastSignInIp: '1.1.1.1',
  signInSuccessCount: 20,
  signInAttemptsCount: null,
  failureCount: null,
  blocked: false,
  blockedUntil: null,
  lastActivityAt: null,
  lastKnownLocation: null,
  connections: [],
  claims: { name: 'John Doe', given_name: 'John', family_name: 'Doe' },
  publicData: { color_preference: { dashboard: 'monochrome' }, send_emails: true, days_to_retain: 1 },
  privateData: {
    transaction_ids: ['5GRZ4X7XUItpRGOwkHhONqTtG', '9Fw7Jx9Zja5lWlmRkYJf1WMV9'],
    subscription_plan: 'premium',
    last_renewed: 1672511400,
  },
};
