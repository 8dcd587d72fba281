import { z } from 'zod';
import { checkedInPlace } from '../../http/compiled-schema.js';
import { jsonObject } from '../../http/json-object.js';

// MonoCloud payloads as sent (providers/README.md §1.3, users.schema.derived.json). Two user shapes are
// live: the CURRENT one (external_providers, block_until, sign-in counters…) and the LEGACY one the docs
// example still shows (idps, blocked, sign_in_count…). One schema per endpoint holds the union: fields
// both shapes require are required, each shape's own fields are optional. Unknown keys are dropped.

/** Unix epoch seconds. Every timestamp is nullable at runtime (the SDK's own tests send `last_updated: null`). */
const epochSeconds = z.number().nullable();
const openObject = jsonObject;
// The IdP and authenticator enums grow as MonoCloud adds social logins; an unknown name must not make a
// whole user unreadable, so they are read as strings.
const idpName = z.string();

const identifier = {
  id: z.string(),
  primary: z.boolean(),
  verified: z.boolean(),
  source: z.string().nullish(),
  verification_source: z.string().nullish(),
  idps: z.array(idpName).optional(),
  authenticators: z.array(z.string()).optional(),
};

export const wireEmail = z.object({ ...identifier, email: z.string() });
export const wirePhone = z.object({ ...identifier, phone: z.string() });

export const wirePasskey = z.object({
  name: z.string().nullish(),
  passkey_id: z.string(),
  public_key: z.string(),
  aa_guid: z.string(),
  backup_state: z.boolean(),
  backup_eligibility: z.boolean(),
  user_present: z.boolean(),
  user_verified: z.boolean(),
  user_agent: z.string(),
});

export const wireUsername = z.object({
  id: z.string(),
  username: z.string(),
  source: z.string().nullish(),
  idps: z.array(idpName).optional(),
  authenticators: z.array(z.string()).optional(),
});

export const wireConnection = z.object({ idp: idpName, connection_id: z.string() });

const externalProviderSummary = { authenticator: idpName, provider_user_id: z.string() };
export const wireExternalProvider = z.object({ ...externalProviderSummary, claims: openObject });
export const wireExternalProviderSummary = z.object(externalProviderSummary);

const common = {
  user_id: z.string(),
  disabled: z.boolean(),
  claims: openObject,
  emails: z.array(wireEmail),
  phone_numbers: z.array(wirePhone),
  passkeys: z.array(wirePasskey),
  creation_time: epochSeconds,
  last_updated: epochSeconds,
  has_password: z.boolean(),
  username: wireUsername.nullish(),
  password_updated_at: epochSeconds.optional(),
  last_sign_in_attempt: epochSeconds.optional(),
  // current shape
  connections: z.array(wireConnection).optional(),
  force_password_reset: z.boolean().optional(),
  block_until: epochSeconds.optional(),
  failure_count: z.int().optional(),
  sign_in_attempts_count: z.int().optional(),
  last_sign_in_attempt_ip: z.string().nullish(),
  sign_in_success_count: z.int().optional(),
  last_sign_in_success: epochSeconds.optional(),
  last_sign_in_success_ip: z.string().nullish(),
  last_activity: epochSeconds.optional(),
  last_known_city: z.string().nullish(),
  last_known_country: z.string().nullish(),
  last_known_region: z.string().nullish(),
  // legacy shape
  blocked: z.boolean().optional(),
  sign_in_count: z.int().optional(),
  last_sign_in_ip: z.string().nullish(),
};

/** `GET /api/users/{user_id}`. */
export const wireUser = checkedInPlace(
  z.object({
    ...common,
    public_data: openObject,
    private_data: openObject,
    external_providers: z.array(wireExternalProvider).optional(),
    idps: z.array(wireExternalProvider).optional(),
  }),
);

/** Items of `GET /api/users`: no public/private data, and linked identities without claims. */
export const wireUserSummary = z.object({
  ...common,
  external_providers: z.array(wireExternalProviderSummary).optional(),
  idps: z.array(wireExternalProviderSummary).optional(),
});

export const wireUserList = checkedInPlace(z.array(wireUserSummary));

/** The JSON value of the `x-pagination` response header on list endpoints. */
export const wirePagination = z.object({
  total_count: z.int(),
  page_size: z.int(),
  current_page: z.int(),
  has_next: z.boolean(),
  has_previous: z.boolean(),
});

/** RFC 7807 body (`application/problem+json`); `errors` depends on `type` (see problem.ts). */
export const wireProblem = z.object({
  type: z.string().optional(),
  title: z.string().optional(),
  status: z.number().optional(),
  detail: z.string().nullish(),
  instance: z.string().nullish(),
  traceId: z.string().optional(),
  errors: z.unknown().optional(),
});

export const wireKeyValidationErrors = z.record(z.string(), z.array(z.string()));
export const wireIdentityValidationErrors = z.array(z.object({ code: z.string(), description: z.string() }));

export type WireUser = z.infer<typeof wireUser>;
export type WireUserSummary = z.infer<typeof wireUserSummary>;
export type WirePagination = z.infer<typeof wirePagination>;
export type WireProblem = z.infer<typeof wireProblem>;
