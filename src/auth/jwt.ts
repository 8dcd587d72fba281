import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import { type ClaimMapping, grantsFrom } from './claims.js';
import { type AuthFailure, refused, unavailable } from './failure.js';
import { authTimeOf, type Principal } from './principal.js';
import type { JwtSettings } from './settings.js';

/** Verified tokens kept, so a client's every request does not pay a signature check. */
const CACHE_SIZE = 10_000;
const DISCOVERY_TIMEOUT_MS = 5_000;
const MAX_SUBJECT_LENGTH = 255;

/**
 * Verifies access tokens from one OIDC issuer with jose: signature against the issuer's JWKS (fetched
 * from `jwksUri` or the discovery document, cached, fetched again on an unknown `kid` at most once per
 * cooldown), the algorithms allowed, `iss`, `aud`, `exp` and `nbf` with a small clock skew; `exp` and
 * `sub` must be there, the lifetime within `maxTokenLifetimeSeconds`, and `typ` as configured.
 */
export class JwtVerifier {
  private readonly settings: JwtSettings;
  private keys: ReturnType<typeof createRemoteJWKSet> | null = null;
  private discovery: Promise<ReturnType<typeof createRemoteJWKSet>> | null = null;
  private readonly verified = new LRUCache<string, Principal>({ max: CACHE_SIZE });
  private readonly audience: string[];

  constructor(
    settings: JwtSettings,
    private readonly mapping: ClaimMapping,
  ) {
    this.settings = settings;
    this.audience = typeof settings.audience === 'string' ? [settings.audience] : settings.audience;
    if (settings.jwksUri !== undefined) this.keys = this.keySet(settings.jwksUri);
  }

  async verify(token: string, now = Date.now()): Promise<Principal | AuthFailure> {
    const known = this.verified.get(token);
    if (known !== undefined) {
      if (known.expiresAt === null || now < known.expiresAt + this.settings.clockSkewSeconds * 1000)
        return known;
      this.verified.delete(token);
    }
    let keys: ReturnType<typeof createRemoteJWKSet>;
    try {
      keys = this.keys ?? (await this.discover());
    } catch {
      return unavailable('the token issuer’s discovery document could not be read');
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: this.settings.issuer,
        audience: this.audience,
        algorithms: this.settings.algorithms,
        clockTolerance: this.settings.clockSkewSeconds,
        currentDate: new Date(now),
        requiredClaims: ['exp', 'sub'],
        ...(this.settings.typ === undefined ? {} : { typ: this.settings.typ }),
      }));
    } catch (error) {
      return failureFor(error);
    }
    const exp = payload.exp as number;
    const from = typeof payload.iat === 'number' ? Math.min(payload.iat, now / 1000) : now / 1000;
    if (exp - from > this.settings.maxTokenLifetimeSeconds) {
      return refused(
        `token lives longer than ${this.settings.maxTokenLifetimeSeconds} s (maxTokenLifetimeSeconds)`,
      );
    }
    if (typeof payload.sub !== 'string' || payload.sub === '') return refused('token has no sub');
    // OpenID Connect Core §2: at most 255 ASCII characters. It is a log field and a quota key.
    if (payload.sub.length > MAX_SUBJECT_LENGTH)
      return refused(`sub longer than ${MAX_SUBJECT_LENGTH} characters`);
    const { scopes, directories } = grantsFrom(payload, this.mapping);
    const principal: Principal = {
      kind: 'jwt',
      subject: payload.sub,
      scopes,
      directories,
      expiresAt: exp * 1000,
      ...authTimeOf(payload),
    };
    this.verified.set(token, principal);
    return principal;
  }

  private keySet(uri: string): ReturnType<typeof createRemoteJWKSet> {
    return createRemoteJWKSet(new URL(uri), {
      cooldownDuration: this.settings.jwksCooldownMs,
      cacheMaxAge: this.settings.jwksMaxAgeMs,
      timeoutDuration: DISCOVERY_TIMEOUT_MS,
    });
  }

  /** The JWKS named by `<issuer>/.well-known/openid-configuration`, read once (again only after a failure). */
  private discover(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    this.discovery ??= (async () => {
      const base = this.settings.issuer.replace(/\/+$/, '');
      const response = await fetch(`${base}/.well-known/openid-configuration`, {
        signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS),
        headers: { accept: 'application/json' },
      });
      if (!response.ok) throw new Error(`discovery answered ${response.status}`);
      const document = (await response.json()) as { jwks_uri?: unknown };
      if (typeof document.jwks_uri !== 'string' || !/^https?:\/\//.test(document.jwks_uri)) {
        throw new Error('discovery names no jwks_uri');
      }
      this.keys = this.keySet(document.jwks_uri);
      return this.keys;
    })();
    this.discovery.catch(() => {
      this.discovery = null;
    });
    return this.discovery;
  }
}

/** Which check a token failed, in words a client can act on; never the token or its claims' values. */
function failureFor(error: unknown): AuthFailure {
  if (error instanceof errors.JWTExpired) return refused('token expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    const claim = error.claim;
    if (claim === 'nbf') return refused('token not yet valid');
    if (claim === 'iss') return refused('wrong issuer');
    if (claim === 'aud') return refused('wrong audience');
    if (claim === 'iat') return refused('token issued in the future');
    if (error.reason === 'missing') return refused(`token has no ${claim}`);
    if (claim === 'typ') return refused('wrong token type (typ)');
    return refused(`claim ${claim} is invalid`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return refused('signature algorithm not allowed');
  if (error instanceof errors.JWSSignatureVerificationFailed) return refused('signature does not verify');
  if (error instanceof errors.JWKSNoMatchingKey) return refused('unknown signing key (kid)');
  if (error instanceof errors.JWKSMultipleMatchingKeys) return refused('ambiguous signing key (kid)');
  if (error instanceof errors.JWKSTimeout)
    return unavailable('the token issuer’s keys could not be fetched in time');
  if (
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JOSENotSupported
  ) {
    return refused('malformed token');
  }
  if (
    error instanceof errors.JWKSInvalid ||
    error instanceof errors.JOSEError ||
    error instanceof TypeError
  ) {
    return unavailable('the token issuer’s keys could not be fetched');
  }
  return refused('token could not be verified');
}
