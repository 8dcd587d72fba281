import type { generateApiKey } from '../../src/auth/api-keys.js';
import { Authenticator } from '../../src/auth/authenticator.js';
import type { Scope } from '../../src/auth/scopes.js';
import { authSettings } from '../../src/auth/settings.js';

/** One API key a test's callers hold: who, the key, what it may do and (optionally) where. */
export interface TestKey {
  readonly name: string;
  readonly key: ReturnType<typeof generateApiKey>;
  readonly scopes: readonly Scope[];
  readonly directories?: readonly string[];
}

/** A Stack's `security` that lets in exactly these API keys (auth required, as in production). */
export function apiKeySecurity(...keys: TestKey[]): { authenticator: Authenticator } {
  return {
    authenticator: new Authenticator(
      authSettings.parse({
        apiKeys: keys.map(({ name, key, scopes, directories }) => ({
          name,
          sha256: key.sha256,
          scopes: [...scopes],
          ...(directories === undefined ? {} : { directories: [...directories] }),
        })),
      }),
    ),
  };
}
