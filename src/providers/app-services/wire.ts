import { z } from 'zod';
import { checkedInPlace } from '../../http/compiled-schema.js';
import { jsonObject } from '../../http/json-object.js';

// Payloads of the App Services Admin API v3 exactly as sent (openapi-admin-v3.yaml, components.schemas).
// The spec marks nothing required; realm-cli's model (internal/cloud/realm/user.go) shows which keys the
// server always writes (`_id`, `type`, `creation_date`, `disabled`) and which it leaves out when empty
// (`identities`, `data`, identity `provider_data`). `last_authentication_date` is optional: a user who
// never authenticated has no such moment, and realm-cli reads a missing one as 0.

/** Seconds since the epoch, bounded to what a JS Date can represent so mapping never throws. */
const unixSeconds = z.int().min(-8_640_000_000_000).max(8_640_000_000_000);

export const ProviderType = z.enum([
  'anon-user',
  'local-userpass',
  'api-key',
  'oauth2-apple',
  'oauth2-google',
  'oauth2-facebook',
  'custom-token',
  'custom-function',
]);
export type ProviderType = z.infer<typeof ProviderType>;

export const WireUserIdentity = z.object({
  id: z.string(),
  provider_type: ProviderType,
  provider_id: z.string(),
  /** Not in the spec; realm-cli reads it (omitempty). */
  provider_data: jsonObject.optional(),
});
export type WireUserIdentity = z.infer<typeof WireUserIdentity>;

export const WireUser = checkedInPlace(
  z.object({
    _id: z.string(),
    identities: z.array(WireUserIdentity).optional(),
    type: z.enum(['normal', 'server']),
    creation_date: unixSeconds,
    last_authentication_date: unixSeconds.optional(),
    disabled: z.boolean(),
    data: jsonObject.optional(),
  }),
);
export type WireUser = z.infer<typeof WireUser>;

/** adminListUsers: `maxItems: 50`, fixed by the API. */
export const LIST_PAGE_SIZE = 50;
export const WireUserList = checkedInPlace(z.array(WireUser).max(LIST_PAGE_SIZE));

/** adminLogin 200. The spec requires no key; without both tokens there is no session to use. */
export const WireLoginResponse = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  user_id: z.string().optional(),
  device_id: z.string().optional(),
});
export type WireLoginResponse = z.infer<typeof WireLoginResponse>;

/** adminCreateSession 201. */
export const WireSessionResponse = z.object({ access_token: z.string().min(1) });

/** components.schemas.Error; read leniently from error responses, which are often not this shape. */
export const WireError = z.object({ error: z.string().optional(), error_code: z.string().optional() });
