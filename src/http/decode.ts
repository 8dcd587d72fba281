import type { z } from 'zod';
import { UpstreamError } from '../directory/failures.js';
import type { ProviderKind } from '../directory/model.js';
import { compiledCheck } from './compiled-schema.js';

/**
 * Parses a 2xx body against the contract's schema. Anything off-contract is an UpstreamError of kind
 * `bad_response` naming where it broke (paths and expectations only: values may be personal data).
 */
export function decode<S extends z.ZodType>(
  provider: ProviderKind,
  operation: string,
  schema: S,
  text: string,
): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UpstreamError({ provider, kind: 'bad_response', operation, detail: 'body is not JSON' });
  }
  // Most bodies are on contract: checked in place by the compiled form of the same schema, where the
  // contract declared that possible. zod runs for the rest, and for a body the check refuses, to say
  // where it broke (compiled-schema.ts).
  const check = compiledCheck(schema);
  if (check?.(value) === true) return value as z.output<S>;
  const result = schema.safeParse(value);
  if (!result.success) {
    const where = result.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw new UpstreamError({
      provider,
      kind: 'bad_response',
      operation,
      detail: `off-contract body: ${where}`,
    });
  }
  return result.data;
}

/** Parses an error body for its provider code and message; never throws (error bodies are often not JSON). */
export function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
