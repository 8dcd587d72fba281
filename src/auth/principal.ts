import { PII_SCOPES, SCOPES, type Scope } from './scopes.js';

/** Who is asking, as far as usergraph knows: never the credential itself. */
export interface Principal {
  readonly kind: 'jwt' | 'api-key' | 'open';
  /** The token's subject, the API key's name, or `anonymous` when auth is off. */
  readonly subject: string;
  readonly scopes: ReadonlySet<Scope>;
  /** The directories it may read; null for every directory. */
  readonly directories: ReadonlySet<string> | null;
  /** Epoch ms after which the credential is no longer valid (JWT `exp`); null when it does not expire. */
  readonly expiresAt: number | null;
  /**
   * Epoch ms when the person behind a token last signed in (OpenID Connect `auth_time`), for step-up
   * before writes; absent when the token does not say (and for API keys).
   */
  readonly authTime?: number;
}

/** Auth off (`mode: none`, demo mode): every scope, every directory. */
export const OPEN_PRINCIPAL: Principal = {
  kind: 'open',
  subject: 'anonymous',
  scopes: new Set(SCOPES),
  directories: null,
  expiresAt: null,
};

const withoutPii = new WeakMap<Principal, Principal>();

/** The same principal without the scopes that read personal data (for GET requests, which browsers send freely). */
export function withoutPiiScopes(principal: Principal): Principal {
  let reduced = withoutPii.get(principal);
  if (reduced === undefined) {
    reduced = {
      ...principal,
      scopes: new Set([...principal.scopes].filter((scope) => !PII_SCOPES.includes(scope))),
    };
    withoutPii.set(principal, reduced);
  }
  return reduced;
}

/** `auth_time` (seconds) as epoch ms, when the token carries a sane one. */
export function authTimeOf(claims: Readonly<Record<string, unknown>>): { authTime?: number } {
  const value = claims.auth_time;
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? { authTime: value * 1000 } : {};
}
