import { ApiKeyVerifier } from './api-keys.js';
import { type AuthFailure, refused } from './failure.js';
import { JwtVerifier } from './jwt.js';
import { claimMapping } from './presets.js';
import type { Principal } from './principal.js';
import type { AuthSettings } from './settings.js';

/** Longest credential looked at; anything longer is refused without parsing. */
const MAX_CREDENTIAL_LENGTH = 16_384;

/**
 * Turns a request's credentials into a principal: `Authorization: Bearer <JWT or API key>` or
 * `X-API-Key: <key>`. Only for `mode: required`; with `mode: none` there is nothing to check.
 */
export class Authenticator {
  private readonly jwt: JwtVerifier | null;
  private readonly apiKeys: ApiKeyVerifier | null;

  constructor(settings: AuthSettings) {
    const mapping = claimMapping(settings);
    this.jwt = settings.jwt ? new JwtVerifier(settings.jwt, mapping) : null;
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
    if (this.jwt === null) return refused('this server accepts API keys only');
    return this.jwt.verify(credential);
  }

  private apiKey(key: string): Principal | AuthFailure {
    if (this.apiKeys === null) return refused('this server accepts no API keys');
    if (key.length > MAX_CREDENTIAL_LENGTH) return refused('credential too long');
    return this.apiKeys.verify(key);
  }
}
