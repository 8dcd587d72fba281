import type { Identity, MonoCloudUser, Timestamp, UserStatus } from '../../directory/model.js';
import { fromEpochSeconds } from '../../directory/timestamp.js';
import type { WireUser, WireUserSummary } from './wire.js';

/** Unix seconds → the instant (epoch milliseconds); null stays null. */
export function toTimestamp(seconds: number | null | undefined): Timestamp | null {
  return seconds === null || seconds === undefined ? null : fromEpochSeconds(seconds);
}

/**
 * Maps either user shape (current or legacy), from the get-one endpoint or a list item, to the unified
 * model. `now` decides whether a `block_until` lockout is still running.
 */
export function mapUser(wire: WireUser | WireUserSummary, directory: string, now: Date): MonoCloudUser {
  const full = 'public_data' in wire ? wire : null;
  const blocked = isBlocked(wire, now);
  const status: UserStatus = wire.disabled ? 'DISABLED' : blocked ? 'BLOCKED' : 'ACTIVE';
  const location = {
    city: wire.last_known_city ?? null,
    region: wire.last_known_region ?? null,
    country: wire.last_known_country ?? null,
  };
  const forcePasswordReset = wire.force_password_reset ?? null;
  return {
    provider: 'monocloud',
    directory,
    localId: wire.user_id,
    kind: 'HUMAN',
    status,
    displayName: displayNameOf(wire.claims),
    givenName: stringClaim(wire.claims, 'given_name'),
    familyName: stringClaim(wire.claims, 'family_name'),
    username: wire.username?.username ?? null,
    emails: wire.emails.map((e) => ({ address: e.email, verified: e.verified, primary: e.primary })),
    phoneNumbers: wire.phone_numbers.map((p) => ({
      number: p.phone,
      verified: p.verified,
      primary: p.primary,
    })),
    passkeys: wire.passkeys.map((p) => ({
      id: p.passkey_id,
      name: p.name ?? null,
      aaguid: p.aa_guid,
      publicKey: p.public_key,
      userAgent: p.user_agent,
      backupEligible: p.backup_eligibility,
      backedUp: p.backup_state,
      userPresent: p.user_present,
      userVerified: p.user_verified,
    })),
    identities: identitiesOf(wire),
    hasPassword: wire.has_password,
    passwordChangedAt: toTimestamp(wire.password_updated_at),
    passwordChangeRequired: forcePasswordReset,
    forcePasswordReset,
    createdAt: toTimestamp(wire.creation_time),
    updatedAt: toTimestamp(wire.last_updated),
    // Only a successful sign-in counts; the legacy shape records attempts alone, so it has none.
    lastSignInAt: toTimestamp(wire.last_sign_in_success),
    lastSignInAttemptAt: toTimestamp(wire.last_sign_in_attempt),
    lastSignInIp: wire.last_sign_in_success_ip ?? wire.last_sign_in_ip ?? null,
    signInSuccessCount: wire.sign_in_success_count ?? wire.sign_in_count ?? null,
    signInAttemptsCount: wire.sign_in_attempts_count ?? null,
    failureCount: wire.failure_count ?? null,
    blocked,
    blockedUntil: toTimestamp(wire.block_until),
    lastActivityAt: toTimestamp(wire.last_activity),
    lastKnownLocation: Object.values(location).every((v) => v === null) ? null : location,
    connections: (wire.connections ?? []).map((c) => ({ idp: c.idp, connectionId: c.connection_id })),
    claims: wire.claims,
    publicData: full?.public_data ?? null,
    privateData: full?.private_data ?? null,
  };
}

/** Legacy `blocked`, or a current `block_until` lockout that has not yet expired. */
function isBlocked(wire: WireUser | WireUserSummary, now: Date): boolean {
  if (wire.blocked === true) return true;
  const until = wire.block_until;
  return until !== null && until !== undefined && until * 1000 > now.getTime();
}

/** A linked identity from either endpoint; list items carry no claims. */
interface LinkedProvider {
  readonly authenticator: string;
  readonly provider_user_id: string;
  readonly claims?: Readonly<Record<string, unknown>>;
}

function identitiesOf(wire: WireUser | WireUserSummary): Identity[] {
  const linked: readonly LinkedProvider[] = wire.external_providers ?? wire.idps ?? [];
  return linked.map((link) => ({
    provider: link.authenticator.toLowerCase(),
    providerUserId: link.provider_user_id,
    userName: null,
    claims: link.claims ?? null,
  }));
}

function stringClaim(claims: Readonly<Record<string, unknown>>, key: string): string | null {
  const value = claims[key];
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

function displayNameOf(claims: Readonly<Record<string, unknown>>): string | null {
  const name = stringClaim(claims, 'name');
  if (name !== null) return name;
  const parts = [stringClaim(claims, 'given_name'), stringClaim(claims, 'family_name')].filter(
    (part): part is string => part !== null,
  );
  return parts.length > 0 ? parts.join(' ') : null;
}
