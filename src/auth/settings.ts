import { z } from 'zod';
import { isScope, SCOPES, type Scope } from './scopes.js';

// `auth:` in usergraph.yaml. With a config file it must be there: either how callers prove who they are
// (JWTs from an OIDC issuer, API keys, or both), or `mode: none` said out loud.

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'] as const;

const scope = z
  .string()
  .refine(isScope, { message: `must be one of: ${SCOPES.join(', ')}` }) as unknown as z.ZodType<Scope>;

export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 86_400;

/** How recent a sign-in a write needs by default: 15 minutes, as an admin console asks again. */
export const DEFAULT_STEP_UP_MAX_AGE_SECONDS = 900;

const claimName = z.string().regex(/^[A-Za-z0-9_:./-]{1,200}$/, 'must be a claim name');

const jwt = z.strictObject({
  issuer: z
    .url({ protocol: /^https?$/, error: 'must be the issuer URL, e.g. https://id.example.com/' })
    .describe(
      'The `iss` every token must carry; its discovery document names the JWKS unless `jwksUri` does.',
    ),
  audience: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .describe("At least one of these must be in the token's `aud`."),
  jwksUri: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .optional()
    .describe('The key set, when not the one in `<issuer>/.well-known/openid-configuration`.'),
  algorithms: z
    .array(z.enum(ALGORITHMS))
    .min(1)
    .default(['RS256', 'ES256', 'EdDSA'])
    .describe('Signature algorithms accepted; `none` and the HMAC family never are.'),
  clockSkewSeconds: z
    .number()
    .int()
    .min(0)
    .max(300)
    .default(30)
    .describe('Leeway for `exp` and `nbf`, for clocks that disagree a little.'),
  scopeClaim: claimName
    .default('scope')
    .describe(
      'The claim listing the scopes, when `auth.claims` and `auth.preset` say nothing (kept from before them).',
    ),
  directoriesClaim: claimName
    .optional()
    .describe(
      'The claim listing the directories the caller may read (string or array); absent: every directory.',
    ),
  maxTokenLifetimeSeconds: z
    .number()
    .int()
    .min(60)
    .max(30 * 86_400)
    .default(DEFAULT_MAX_TOKEN_LIFETIME_SECONDS)
    .describe(
      'Longest a token may live (`exp` after `iat`, or after now when it has no `iat`): a token that never expires, or lives for days, is refused.',
    ),
  typ: z
    .string()
    .regex(/^[A-Za-z0-9.+/-]{1,64}$/, 'must be a media type such as at+jwt')
    .optional()
    .describe(
      'The JOSE `typ` every token must carry, e.g. `at+jwt` (RFC 9068 access tokens), so an ID token of the same issuer cannot be used in its place; absent: not checked (most issuers send `JWT`).',
    ),
  jwksCooldownMs: z
    .number()
    .int()
    .min(1_000)
    .max(3_600_000)
    .default(30_000)
    .describe(
      'Least time between two JWKS fetches for an unknown `kid`, so forged ones cannot make us hammer the issuer.',
    ),
  jwksMaxAgeMs: z
    .number()
    .int()
    .min(10_000)
    .max(86_400_000)
    .default(600_000)
    .describe('How long a fetched JWKS is trusted before it is fetched again.'),
});

const claimPath = z.string().min(1).max(300);

/** RFC 7662 introspection of opaque access tokens (ZITADEL's default, Auth0 without an audience…). */
const introspection = z
  .strictObject({
    issuer: z
      .url({ protocol: /^https?$/, error: 'must be the issuer URL' })
      .optional()
      .describe(
        'Where discovery is read (its `introspection_endpoint`) and what `iss` the answers may name; default: `jwt.issuer`.',
      ),
    endpoint: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .optional()
      .describe('The introspection endpoint, when not the one discovery names.'),
    clientId: z
      .string()
      .min(1)
      .max(256)
      .describe(
        'The client usergraph introspects as (a ZITADEL API application, a Keycloak confidential client).',
      ),
    clientSecret: z
      .string()
      .min(1)
      .optional()
      .describe('Its secret, sent as HTTP Basic (`client_secret_basic`).'),
    privateKey: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Or its private key (PKCS#8 PEM), signing a `private_key_jwt` assertion (ZITADEL's recommended way).",
      ),
    keyId: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .describe("The key's id (`kid`), e.g. ZITADEL's key file `keyId`."),
    audience: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .optional()
      .describe(
        "At least one of these must be in an answer's `aud` when it names one; default: `jwt.audience`.",
      ),
    cacheSeconds: z
      .number()
      .int()
      .min(0)
      .max(3_600)
      .default(60)
      .describe("How long an active answer is trusted at most (never past the token's `exp`)."),
    negativeCacheSeconds: z
      .number()
      .int()
      .min(0)
      .max(300)
      .default(5)
      .describe(
        'How long an inactive answer is remembered (a token being scanned for costs the issuer little).',
      ),
  })
  .refine((value) => (value.clientSecret === undefined) !== (value.privateKey === undefined), {
    message: 'needs either clientSecret or privateKey (with keyId)',
  });

/** A role's grant: its scopes, or `{ scopes, directories }`. */
const roleGrant = z.union([
  z.array(scope).min(1),
  z.strictObject({
    scopes: z.array(scope).default([]).describe('The usergraph scopes the role grants.'),
    directories: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'The directories the role may read (a token’s directories are the union of its roles’ and its directory claims).',
      ),
  }),
]);

/** Where each issuer puts what a caller may do (../shared/providers/access-tokens.md §10). */
export const PRESETS = ['zitadel', 'keycloak', 'entra', 'okta', 'auth0'] as const;

const apiKey = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1–64 of letters, digits, _ . : -')
    .describe('Who holds it; it is the principal in the audit log.'),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'must be the key’s SHA-256 in hex (64 characters)')
    .describe('SHA-256 of the key, hex (`npm run apikey` prints it); the key itself is never in the config.'),
  scopes: z.array(scope).min(1).describe('What the key may read.'),
  directories: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe('The directories it may read; absent: every directory.'),
});

export const authSettings = z
  .strictObject({
    mode: z
      .enum(['required', 'none'])
      .default('required')
      .describe(
        '`required` (the default): every GraphQL request proves who it is. `none`: everyone may read everything.',
      ),
    preset: z
      .enum(PRESETS)
      .optional()
      .describe("The issuer's shape of tokens: sets `claims` to where that issuer puts scopes and roles."),
    claims: z
      .strictObject({
        scopes: z
          .array(claimPath)
          .min(1)
          .max(20)
          .optional()
          .describe(
            "Claims holding scopes or role names, merged; default: the preset's, else `jwt.scopeClaim`.",
          ),
        directories: z
          .array(claimPath)
          .max(20)
          .optional()
          .describe(
            'Claims holding directory names; default: `jwt.directoriesClaim`, else none (every directory).',
          ),
      })
      .optional()
      .describe(
        'Where scopes, roles and directories are in a token or an introspection answer (claim paths).',
      ),
    roles: z
      .record(z.string().min(1).max(256), roleGrant)
      .optional()
      .describe(
        'IdP role (or group, or permission) → the usergraph scopes, and optionally directories, it grants.',
      ),
    jwt: jwt.optional().describe('JWT access tokens from an OIDC issuer, verified against its JWKS.'),
    introspection: introspection
      .optional()
      .describe('Opaque access tokens, checked by RFC 7662 introspection at their issuer.'),
    apiKeys: z.array(apiKey).optional().describe('API keys for scripts and services, listed by SHA-256.'),
    stepUpMaxAgeSeconds: z
      .number()
      .int()
      .min(0)
      .max(86_400)
      .default(DEFAULT_STEP_UP_MAX_AGE_SECONDS)
      .describe(
        'Writes (mutations) need a token whose `auth_time` is at most this old (RFC 9470 step-up); a token without `auth_time` cannot write. 0: no step-up.',
      ),
    stepUpExemptApiKeys: z
      .boolean()
      .default(false)
      .describe(
        'API keys (which carry no `auth_time`) may write without step-up. Off: an API key cannot write while step-up is on.',
      ),
  })
  .superRefine((value, ctx) => {
    if (
      value.mode === 'required' &&
      value.jwt === undefined &&
      value.introspection === undefined &&
      (value.apiKeys?.length ?? 0) === 0
    ) {
      ctx.addIssue({
        code: 'custom',
        message:
          'needs `jwt`, `introspection`, `apiKeys` or a mix (or `mode: none` to serve without authentication)',
      });
    }
    if (
      value.introspection !== undefined &&
      value.introspection.issuer === undefined &&
      value.jwt === undefined
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['introspection', 'issuer'],
        message: 'is required without `jwt`',
      });
    }
    if (value.introspection?.privateKey !== undefined && value.introspection.keyId === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['introspection', 'keyId'],
        message: 'is required with privateKey',
      });
    }
    const seen = new Set<string>();
    value.apiKeys?.forEach((key, index) => {
      if (seen.has(key.sha256)) {
        ctx.addIssue({ code: 'custom', path: ['apiKeys', index, 'sha256'], message: 'is listed twice' });
      }
      seen.add(key.sha256);
    });
  });

export type AuthSettings = z.output<typeof authSettings>;
export type IntrospectionSettings = z.output<typeof introspection>;
export type JwtSettings = z.output<typeof jwt>;
export type ApiKeySettings = z.output<typeof apiKey>;
