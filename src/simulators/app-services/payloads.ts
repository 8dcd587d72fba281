// The Admin API v3 user payloads as the simulator sends them, written from openapi-admin-v3.yaml
// (components.schemas User, UserIdentity, ProviderType) and realm-cli's user model: the simulator keeps
// its own copy so that a contract misread in the client's wire.ts is not reproduced here as well.

/** components.schemas.ProviderType */
export type ProviderType =
  | 'anon-user'
  | 'local-userpass'
  | 'api-key'
  | 'oauth2-apple'
  | 'oauth2-google'
  | 'oauth2-facebook'
  | 'custom-token'
  | 'custom-function';

/** components.schemas.UserIdentity (`provider_data` is realm-cli's, omitted when empty). */
export interface UserIdentityPayload {
  readonly id: string;
  readonly provider_type: ProviderType;
  readonly provider_id: string;
  readonly provider_data?: Readonly<Record<string, unknown>>;
}

/** components.schemas.User; `identities`, `data` and `last_authentication_date` are left out when empty. */
export interface UserPayload {
  readonly _id: string;
  readonly identities?: readonly UserIdentityPayload[];
  readonly type: 'normal' | 'server';
  /** Seconds since the UNIX epoch. */
  readonly creation_date: number;
  readonly last_authentication_date?: number;
  readonly disabled: boolean;
  readonly data?: Readonly<Record<string, unknown>>;
}
