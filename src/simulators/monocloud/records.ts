import type { SeedAccount } from '../people.js';
import { mulberry32 } from '../server.js';

// Seed accounts in MonoCloud's CURRENT wire shape (providers/README.md §1.3), deterministic per account.

/** The fields the simulator reads to filter and sort; the rest of a record is passed through as JSON. */
export interface UserRecord {
  readonly user_id: string;
  readonly creation_time: number | null;
  readonly last_updated: number | null;
  readonly claims: Readonly<Record<string, unknown>>;
  readonly emails: readonly { readonly email: string }[];
  readonly username?: { readonly username: string } | null;
  readonly [field: string]: unknown;
}

/** A user as `GET /api/users/{id}` returns it and as an item of `GET /api/users`. */
export interface StoredUser {
  readonly full: UserRecord;
  readonly summary: UserRecord;
}

/** A lockout end far enough ahead that blocked seed accounts stay blocked whenever the tests run. */
export const LOCKED_UNTIL = Date.UTC(2030, 0, 1) / 1000;

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function toUserRecord(account: SeedAccount): UserRecord {
  const random = mulberry32(Number.parseInt(account.salt.slice(0, 8), 16));
  const id = (length: number) =>
    Array.from({ length }, () => ALPHANUMERIC[Math.floor(random() * ALPHANUMERIC.length)]).join('');
  const uuid = () => {
    const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
  };
  const userId = id(21);
  const locked = account.status === 'blocked' || account.status === 'locked';
  const failureCount = locked ? 5 + Math.floor(random() * 5) : Math.floor(random() * 3);
  const signedUpWith = account.identities[0]?.provider ?? 'monocloud';
  const record = {
    user_id: userId,
    disabled: account.status === 'disabled',
    connections: [
      { idp: 'monocloud', connection_id: id(21) },
      ...account.identities.map((identity) => ({ idp: identity.provider, connection_id: id(21) })),
    ],
    claims: { name: account.displayName, given_name: account.givenName, family_name: account.familyName },
    public_data: { locale: account.language, newsletter: random() < 0.5 },
    private_data: {
      customer_tier: random() < 0.2 ? 'enterprise' : 'standard',
      seed_person: account.personId,
    },
    emails: account.email
      ? [
          {
            id: uuid(),
            primary: true,
            verified: account.emailVerified,
            source: signedUpWith,
            verification_source: account.emailVerified ? signedUpWith : null,
            email: account.email,
          },
        ]
      : [],
    phone_numbers: account.phone
      ? [
          {
            id: uuid(),
            primary: true,
            verified: account.phoneVerified,
            source: 'monocloud',
            verification_source: account.phoneVerified ? 'monocloud' : null,
            phone: account.phone,
          },
        ]
      : [],
    passkeys: account.passkeys.map((passkey) => ({
      name: passkey.name,
      passkey_id: passkey.id,
      public_key: passkey.publicKey,
      aa_guid: passkey.aaguid,
      backup_state: passkey.backedUp,
      backup_eligibility: passkey.backupEligible,
      user_present: passkey.userPresent,
      user_verified: passkey.userVerified,
      user_agent: passkey.userAgent,
    })),
    force_password_reset: account.status === 'initial',
    external_providers: account.identities.map((identity) => ({
      authenticator: identity.provider,
      provider_user_id: identity.providerUserId,
      claims: { email: identity.userName, name: account.displayName, sub: identity.providerUserId },
    })),
    username: { id: uuid(), username: account.username, source: 'monocloud' },
    creation_time: account.createdAt,
    last_updated: account.updatedAt,
    has_password: account.hasPassword,
    password_updated_at: account.passwordChangedAt,
    block_until: locked ? LOCKED_UNTIL : null,
    failure_count: failureCount,
    sign_in_attempts_count: account.signInCount + failureCount,
    last_sign_in_attempt: account.lastSignInAt,
    last_sign_in_attempt_ip: account.lastSignInIp,
    sign_in_success_count: account.signInCount,
    last_sign_in_success: account.lastSignInAt,
    last_sign_in_success_ip: account.lastSignInIp,
    last_activity: account.lastSignInAt,
    last_known_city: account.lastSignInAt === null ? null : account.city,
    last_known_country: account.lastSignInAt === null ? null : account.country,
    last_known_region: null,
  };
  return record;
}

/** The list endpoint's `UserSummary`: no public/private data, and linked identities without claims. */
export function toSummary(user: UserRecord): UserRecord {
  const { public_data: _public, private_data: _private, ...rest } = user;
  const strip = (links: unknown) =>
    Array.isArray(links)
      ? links.map((link: { authenticator: string; provider_user_id: string }) => ({
          authenticator: link.authenticator,
          provider_user_id: link.provider_user_id,
        }))
      : links;
  return {
    ...rest,
    ...('external_providers' in user ? { external_providers: strip(user.external_providers) } : {}),
    ...('idps' in user ? { idps: strip(user.idps) } : {}),
  } as UserRecord;
}
