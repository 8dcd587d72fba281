import { ApiKeyVerifier } from './api-keys.js';
import { type AuthFailure, refused } from './failure.js';
import { IntrospectionVerifier } from './introspection.js';
import { JwtVerifier } from './jwt.js';
import { claimMapping } from './presets.js';
import type { Principal } from './principal.js';
import { type AuthSettings, DEFAULT_MAX_TOKEN_LIFETIME_SECONDS } from './settings.js';

/** Three base64url parts: a JWS in compact form. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Longest credential looked at; anything longer is refused without parsing. */
const MAX_CREDENTIAL_LENGTH = 16_384;

/**
 * Turns a request's credentials into a principal: `Authorization: Bearer <JWT, opaque token or API
 * key>` or `X-API-Key: <key>`. Only for `mode: required`; with `mode: none` there is nothing to check.
 */
export class Authenticator {
  private readonly jwt: JwtVerifier | null;
  private readonly introspection: IntrospectionVerifier | null;
  private readonly apiKeys: ApiKeyVerifier | null;

  constructor(settings: AuthSettings) {
    const mapping = claimMapping(settings);
    this.jwt = settings.jwt ? new JwtVerifier(settings.jwt, mapping) : null;
    const introspect = settings.introspection;
    this.introspection =
      introspect === undefined
        ? null
        : new IntrospectionVerifier(
            introspect,
            introspect.issuer ?? (settings.jwt?.issuer as string),
            introspect.audience ?? settings.jwt?.audience,
            mapping,
            settings.jwt?.maxTokenLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
          );
    this.apiKeys = settings.apiKeys?.length ? new ApiKeyVerifier(settings.apiKeys) : null;
  }

  /** What the `WWW-Authenticate` challenge offers. */
  get schemes(): string {
    return 'Bearer realm="usergraph"';
  }

  authenticate(headers: Headers): Principal | AuthFailure | Promise<Principal | AuthFailure> {
    const apiKeyHeader = headers.get('x-api-key');
    const authorization = headers.get('authorization');
    if (apiKeyHeader !== null && authorization !== null) {
      return refused('send either Authorization or X-API-Key, not both');
    }
    if (apiKeyHeader !== null) return this.apiKey(apiKeyHeader.trim());
    if (authorization === null) return refused('no credentials (send Authorization: Bearer <token>)');
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
    if (!match) return refused('Authorization must be "Bearer <token>"');
    const credential = match[1] as string;
    if (credential.length > MAX_CREDENTIAL_LENGTH) return refused('credential too long');
    if (ApiKeyVerifier.looksLikeKey(credential)) return this.apiKey(credential);
    // A JWT when it has a JWT's shape and JWTs are accepted; anything else is an opaque token, which
    // only its issuer can judge.
    if (this.jwt !== null && JWT_SHAPE.test(credential)) return this.jwt.verify(credential);
    if (this.introspection !== null) return this.introspection.verify(credential);
    if (this.jwt === null) return refused('this server accepts API keys only');
    return this.jwt.verify(credential);
  }

  private apiKey(key: string): Principal | AuthFailure {
    if (this.apiKeys === null) return refused('this server accepts no API keys');
    if (key.length > MAX_CREDENTIAL_LENGTH) return refused('credential too long');
    return this.apiKeys.verify(key);
  }
}
