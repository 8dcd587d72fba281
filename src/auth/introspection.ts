import { createHash } from 'node:crypto';
import { importPKCS8 } from 'jose';
import { LRUCache } from 'lru-cache';
import * as oidc from 'openid-client';
import { type ClaimMapping, grantsFrom } from './claims.js';
import { type AuthFailure, refused, unavailable } from './failure.js';
import { authTimeOf, type Principal } from './principal.js';
import type { IntrospectionSettings } from './settings.js';

/** Answers kept (by the token's SHA-256), so a client's next request costs no call to the issuer. */
const CACHE_SIZE = 10_000;
const TIMEOUT_SECONDS = 5;
const MAX_SUBJECT_LENGTH = 255;

/**
 * Opaque access tokens (ZITADEL's default, Google's, Auth0's without an audience) checked by RFC 7662
 * introspection with openid-client: the endpoint from the issuer's discovery document (or configured),
 * usergraph authenticating as its client by secret (HTTP Basic) or `private_key_jwt`. An active answer
 * becomes a principal as a JWT's payload does (the same claim mapping), and is kept until the token's
 * `exp` but at most `cacheSeconds`; an inactive one `negativeCacheSeconds`. An issuer that cannot be
 * reached, or refuses usergraph's client, is AUTH_UNAVAILABLE (503): not the caller's fault.
 */
export class IntrospectionVerifier {
  private config: Promise<oidc.Configuration> | null = null;
  private readonly answers: LRUCache<
    string,
    { readonly result: Principal | AuthFailure; readonly until: number }
  >;
  private readonly inFlight = new Map<string, Promise<Principal | AuthFailure>>();
  private readonly audience: readonly string[];

  constructor(
    private readonly settings: IntrospectionSettings,
    private readonly issuer: string,
    audience: string | readonly string[] | undefined,
    private readonly mapping: ClaimMapping,
    private readonly maxLifetimeSeconds: number,
  ) {
    this.audience = audience === undefined ? [] : typeof audience === 'string' ? [audience] : audience;
    this.answers = new LRUCache({ max: CACHE_SIZE });
  }

  verify(token: string, now = Date.now()): Promise<Principal | AuthFailure> {
    const key = createHash('sha256').update(token, 'utf8').digest('base64url');
    const known = this.answers.get(key);
    if (known !== undefined && now < known.until) return Promise.resolve(known.result);
    let pending = this.inFlight.get(key);
    if (pending === undefined) {
      pending = this.introspect(token, key, now).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async introspect(token: string, key: string, now: number): Promise<Principal | AuthFailure> {
    let answer: oidc.IntrospectionResponse;
    try {
      answer = await oidc.tokenIntrospection(await this.configuration(), token, {
        token_type_hint: 'access_token',
      });
    } catch (error) {
      this.config = null;
      if (error instanceof oidc.ResponseBodyError && error.status === 401) {
        return unavailable('the token issuer refused usergraph’s introspection client');
      }
      return unavailable('the token issuer’s introspection endpoint could not be reached');
    }
    const result = this.principalOf(answer, now);
    const until =
      'failed' in result
        ? now + this.settings.negativeCacheSeconds * 1000
        : Math.min(result.expiresAt ?? now, now + this.settings.cacheSeconds * 1000);
    if (until > now) this.answers.set(key, { result, until });
    return result;
  }

  private principalOf(answer: oidc.IntrospectionResponse, now: number): Principal | AuthFailure {
    if (answer.active !== true) return refused('token is not active');
    if (typeof answer.exp !== 'number') return refused('token has no exp');
    if (answer.exp * 1000 <= now) return refused('token expired');
    const from = typeof answer.iat === 'number' ? Math.min(answer.iat, now / 1000) : now / 1000;
    if (answer.exp - from > this.maxLifetimeSeconds) {
      return refused(`token lives longer than ${this.maxLifetimeSeconds} s (maxTokenLifetimeSeconds)`);
    }
    if (typeof answer.iss === 'string' && stripSlash(answer.iss) !== stripSlash(this.issuer)) {
      return refused('wrong issuer');
    }
    if (answer.aud !== undefined && this.audience.length > 0) {
      const audiences = Array.isArray(answer.aud) ? answer.aud : [answer.aud];
      if (!audiences.some((audience) => this.audience.includes(audience))) return refused('wrong audience');
    }
    const subject = typeof answer.sub === 'string' && answer.sub !== '' ? answer.sub : null;
    if (subject === null) return refused('token has no sub');
    if (subject.length > MAX_SUBJECT_LENGTH)
      return refused(`sub longer than ${MAX_SUBJECT_LENGTH} characters`);
    const { scopes, directories } = grantsFrom(answer as Record<string, unknown>, this.mapping);
    return {
      kind: 'jwt',
      subject,
      scopes,
      directories,
      expiresAt: answer.exp * 1000,
      ...authTimeOf(answer as Record<string, unknown>),
    };
  }

  /** The issuer's configuration, from discovery (read once; again after a failure). */
  private configuration(): Promise<oidc.Configuration> {
    this.config ??= (async () => {
      const { settings } = this;
      const authentication =
        settings.privateKey !== undefined
          ? oidc.PrivateKeyJwt({ key: await importPKCS8(settings.privateKey, 'RS256'), kid: settings.keyId })
          : oidc.ClientSecretBasic(settings.clientSecret as string);
      const insecure = new URL(this.issuer).protocol === 'http:';
      const options = insecure
        ? { execute: [oidc.allowInsecureRequests], timeout: TIMEOUT_SECONDS }
        : { timeout: TIMEOUT_SECONDS };
      const config =
        settings.endpoint !== undefined
          ? new oidc.Configuration(
              { issuer: this.issuer, introspection_endpoint: settings.endpoint },
              settings.clientId,
              undefined,
              authentication,
            )
          : await oidc.discovery(new URL(this.issuer), settings.clientId, undefined, authentication, options);
      if (settings.endpoint !== undefined) {
        config.timeout = TIMEOUT_SECONDS;
        if (insecure) oidc.allowInsecureRequests(config);
      }
      return config;
    })();
    return this.config;
  }
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
