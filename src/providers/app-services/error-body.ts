import type { ProviderErrorFacts } from '../../codes/failure-codes.js';
import type { HttpResponse } from '../../http/client.js';
import { tryParseJson } from '../../http/decode.js';
import { WireError } from './wire.js';

/** App Services' code for a missing, expired or revoked session (realm-cli `invalidSessionCode`). */
export const INVALID_SESSION = 'InvalidSession';

/** The `error_code` of an error body, or null when the body is not the `{error, error_code}` shape. */
export function errorCodeOf(response: HttpResponse): string | null {
  const parsed = WireError.safeParse(tryParseJson(response.body));
  return parsed.success ? (parsed.data.error_code ?? null) : null;
}

/**
 * What an App Services error body says, for the status rule. Only `error_code` is kept: the `error`
 * text can echo what was sent (ids, key names), and neither the body nor any header value is copied.
 */
export function appServicesErrorFacts(response: HttpResponse): ProviderErrorFacts {
  return { providerCode: errorCodeOf(response) };
}
