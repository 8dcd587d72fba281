import { createHash, randomBytes } from 'node:crypto';
import { type AuthFailure, refused } from './failure.js';
import type { Principal } from './principal.js';
import type { ApiKeySettings } from './settings.js';

/** Every usergraph API key starts with this, so it can be told from a JWT and found by secret scanners. */
export const API_KEY_PREFIX = 'ug_';

const SHAPE = /^ug_[A-Za-z0-9_-]{43}$/;

/** A new random key (256 bits) and the SHA-256 the config lists it by. */
export function generateApiKey(): { readonly key: string; readonly sha256: string } {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, sha256: sha256(key) };
}

export function sha256(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * API keys for scripts and services, listed in the config by hash only: a leaked config does not leak
 * a key. Looking a key up hashes it first, so the comparison is never over the secret itself.
 */
export class ApiKeyVerifier {
  private readonly byHash: ReadonlyMap<string, Principal>;

  constructor(keys: readonly ApiKeySettings[]) {
    this.byHash = new Map(
      keys.map((key) => [
        key.sha256,
        {
          kind: 'api-key',
          subject: key.name,
          scopes: new Set(key.scopes),
          directories: key.directories === undefined ? null : new Set(key.directories),
          expiresAt: null,
        } satisfies Principal,
      ]),
    );
  }

  static looksLikeKey(credential: string): boolean {
    return credential.startsWith(API_KEY_PREFIX);
  }

  verify(key: string): Principal | AuthFailure {
    if (!SHAPE.test(key)) return refused('malformed API key');
    return this.byHash.get(sha256(key)) ?? refused('unknown API key');
  }
}
