// The unified model: one account in one directory, as plain readonly data. Mappers build it from
// wire payloads; the GraphQL layer reads it. A fact a provider does not have is null, never invented.

export type ProviderKind = 'monocloud' | 'zitadel' | 'app-services';

export type UserKind = 'HUMAN' | 'MACHINE';

export type UserStatus = 'ACTIVE' | 'INACTIVE' | 'DISABLED' | 'BLOCKED' | 'LOCKED' | 'INITIAL' | 'DELETED';

/**
 * An instant as Date's time value: whole epoch milliseconds (UTC) within Date's range. Responses write
 * it as RFC 3339 in UTC, e.g. `2021-12-31T18:30:00.000Z`, and only when they select it (the DateTime
 * scalar), not at mapping time (timestamp.ts).
 */
export type Timestamp = number;

export type JsonObject = { readonly [key: string]: unknown };

export interface Email {
  readonly address: string;
  readonly verified: boolean;
  readonly primary: boolean;
}

export interface PhoneNumber {
  readonly number: string;
  readonly verified: boolean;
  readonly primary: boolean;
}

export interface Passkey {
  readonly id: string;
  readonly name: string | null;
  readonly aaguid: string | null;
  readonly publicKey: string | null;
  readonly userAgent: string | null;
  readonly backupEligible: boolean | null;
  readonly backedUp: boolean | null;
  readonly userPresent: boolean | null;
  readonly userVerified: boolean | null;
}

export interface Identity {
  /** The identity provider, lower-case: `google`, `apple`, `local-userpass`, a ZITADEL IdP id… */
  readonly provider: string;
  readonly providerUserId: string;
  /** The external user name where the directory records one (ZITADEL IdP links). */
  readonly userName: string | null;
  readonly claims: JsonObject | null;
}

interface BaseUser {
  /** The configured directory name (unique per deployment). */
  readonly directory: string;
  /** The provider's own id for this account. */
  readonly localId: string;
  readonly kind: UserKind;
  /** Null only when the provider reports no state (ZITADEL's UNSPECIFIED). */
  readonly status: UserStatus | null;
  readonly displayName: string | null;
  readonly givenName: string | null;
  readonly familyName: string | null;
  readonly username: string | null;
  readonly emails: readonly Email[];
  readonly phoneNumbers: readonly PhoneNumber[];
  readonly hasPassword: boolean | null;
  readonly passwordChangedAt: Timestamp | null;
  readonly passwordChangeRequired: boolean | null;
  readonly createdAt: Timestamp | null;
  readonly updatedAt: Timestamp | null;
  readonly lastSignInAt: Timestamp | null;
  /** When usergraph read this record from the directory; set by the user cache (src/cache/). */
  readonly fetchedAt?: Timestamp;
}

export interface MonoCloudUser extends BaseUser {
  readonly provider: 'monocloud';
  readonly passkeys: readonly Passkey[];
  readonly identities: readonly Identity[];
  readonly claims: JsonObject;
  /** Null when the payload came from the list endpoint, which omits it. */
  readonly publicData: JsonObject | null;
  readonly privateData: JsonObject | null;
  readonly blocked: boolean;
  readonly blockedUntil: Timestamp | null;
  readonly failureCount: number | null;
  readonly signInAttemptsCount: number | null;
  readonly signInSuccessCount: number | null;
  readonly lastSignInAttemptAt: Timestamp | null;
  readonly lastSignInIp: string | null;
  readonly lastActivityAt: Timestamp | null;
  readonly lastKnownLocation: {
    readonly city: string | null;
    readonly region: string | null;
    readonly country: string | null;
  } | null;
  readonly connections: readonly { readonly idp: string; readonly connectionId: string }[];
  readonly forcePasswordReset: boolean | null;
}

export interface ZitadelMachineDetails {
  readonly name: string | null;
  readonly description: string | null;
  readonly hasSecret: boolean;
  readonly accessTokenType: 'BEARER' | 'JWT';
}

export interface ZitadelUser extends BaseUser {
  readonly provider: 'zitadel';
  /** ZITADEL keeps passkeys and IdP links behind their own endpoints; the port loads them on demand. */
  readonly loginNames: readonly string[];
  readonly preferredLoginName: string | null;
  readonly nickname: string | null;
  readonly preferredLanguage: string | null;
  readonly gender: 'FEMALE' | 'MALE' | 'DIVERSE' | null;
  readonly avatarUrl: string | null;
  readonly resourceOwner: string | null;
  readonly sequence: string | null;
  readonly mfaInitSkippedAt: Timestamp | null;
  readonly machine: ZitadelMachineDetails | null;
}

export interface AppServicesUser extends BaseUser {
  readonly provider: 'app-services';
  readonly identities: readonly Identity[];
  readonly type: 'normal' | 'server';
  readonly data: JsonObject;
  readonly lastAuthenticationAt: Timestamp | null;
}

export type User = MonoCloudUser | ZitadelUser | AppServicesUser;
