import type { ProviderErrorFacts } from '../../codes/failure-codes.js';
import type { HttpResponse } from '../../http/client.js';
import { tryParseJson } from '../../http/decode.js';
import { wireIdentityValidationErrors, wireKeyValidationErrors, wireProblem } from './wire.js';

export const KEY_VALIDATION_TYPE = 'https://httpstatuses.io/422#validation-error';
export const IDENTITY_VALIDATION_TYPE = 'https://httpstatuses.io/422#identity-validation-error';

export type ProblemValidation =
  /** `…#validation-error`: messages per request field. */
  | { readonly kind: 'fields'; readonly errors: Readonly<Record<string, readonly string[]>> }
  /** `…#identity-validation-error`: coded identity rule failures (password policy, duplicates…). */
  | {
      readonly kind: 'identity';
      readonly errors: readonly { readonly code: string; readonly description: string }[];
    };

/** An RFC 7807 problem as MonoCloud sends it, with the two typed 422 variants resolved. */
export interface MonoCloudProblem {
  readonly type: string | null;
  readonly title: string | null;
  readonly status: number | null;
  readonly detail: string | null;
  readonly traceId: string | null;
  readonly validation: ProblemValidation | null;
}

const MAX_DETAIL = 200;

/**
 * What a MonoCloud error answer says, for the status rule. Only `application/problem+json` bodies are
 * read (as the SDK does); any other body is plain text and stays out of the error, since it may echo
 * request data.
 */
export function problemFacts(response: HttpResponse): ProviderErrorFacts {
  const problem = response.header('content-type')?.toLowerCase().startsWith('application/problem+json')
    ? parseProblem(response.body)
    : null;
  if (problem === null) return {};
  return { providerCode: problem.type ?? problem.title, detail: describe(problem), problem };
}

export function parseProblem(body: string): MonoCloudProblem | null {
  const parsed = wireProblem.safeParse(tryParseJson(body));
  if (!parsed.success) return null;
  const p = parsed.data;
  return {
    type: p.type ?? null,
    title: p.title ?? null,
    status: p.status ?? null,
    detail: p.detail ?? null,
    traceId: p.traceId ?? null,
    validation: validationOf(p.type, p.errors),
  };
}

function validationOf(type: string | undefined, errors: unknown): ProblemValidation | null {
  if (type === KEY_VALIDATION_TYPE) {
    const fields = wireKeyValidationErrors.safeParse(errors);
    return fields.success ? { kind: 'fields', errors: fields.data } : null;
  }
  if (type === IDENTITY_VALIDATION_TYPE) {
    const coded = wireIdentityValidationErrors.safeParse(errors);
    return coded.success ? { kind: 'identity', errors: coded.data } : null;
  }
  return null;
}

/** Title and detail, plus the failing field names or codes (not their messages, which may quote input). */
function describe(problem: MonoCloudProblem): string | null {
  const parts = [problem.title, problem.detail].filter((part): part is string => Boolean(part));
  if (problem.validation?.kind === 'fields')
    parts.push(`fields: ${Object.keys(problem.validation.errors).join(', ')}`);
  if (problem.validation?.kind === 'identity') {
    parts.push(`codes: ${problem.validation.errors.map((error) => error.code).join(', ')}`);
  }
  const text = [...new Set(parts)].join(' - ');
  if (!text) return null;
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text;
}
