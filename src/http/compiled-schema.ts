import { Ajv, type ValidateFunction } from 'ajv';
import { z } from 'zod';

// A provider contract is written once, in zod (src/providers/*/wire.ts). zod checks a body by building
// a copy of it; an ajv validator compiled from the same schema checks the parsed body in place
// (BENCHMARKS.md, "Hand-tuned spots"). Only a schema whose output IS its input can be checked that way:
// no transforms, defaults or coercion. The contract says which of its schemas are (`checkedInPlace`,
// with the JSON Schema form of any refinement it carries), and test/http/compiled-schema.test.ts holds
// ajv and zod to the same verdict on each of them, on the fixtures and every kind of damage to them.
// Only zod's public API is used: z.toJSONSchema, which refuses (throws on) what JSON Schema cannot say.

/** Schemas the contract declared checkable in place, with the JSON Schema form of their refinement. */
const declared = new WeakMap<z.ZodType, Record<string, unknown> | null>();

/**
 * Declares that `schema` parses to its input (unknown keys aside), so ajv may check a body against it
 * in place. A `.refine()` inside must be described here, as a JSON Schema fragment merged into the
 * compiled form, or ajv would pass what zod refuses (the test finds that).
 */
export function checkedInPlace<S extends z.ZodType>(schema: S, refinement?: Record<string, unknown>): S {
  declared.set(schema, refinement ?? null);
  return schema;
}

const ajv = new Ajv({
  strict: true,
  // A refinement's fragment names properties its schema declares one level up (`oneOf` of `required`).
  strictRequired: false,
  // `type: ["string", "number"]` is how zod writes a union of the two (protojson's uint64).
  allowUnionTypes: true,
  allErrors: false,
  // zod's datetime and regex checks come with their pattern, which ajv tests; the format name alone
  // is informative.
  formats: { 'date-time': true },
});

const compiled = new WeakMap<z.ZodType, ValidateFunction | null>();

/**
 * An ajv check equivalent to `schema.safeParse(value).success` that leaves the value as it is, or null
 * when the contract did not declare the schema checkable in place (then only zod will do). Compiled
 * once per schema.
 */
export function compiledCheck(schema: z.ZodType): ValidateFunction | null {
  let check = compiled.get(schema);
  if (check === undefined) {
    check = declared.has(schema) ? compile(schema) : null;
    compiled.set(schema, check);
  }
  return check;
}

function compile(schema: z.ZodType): ValidateFunction | null {
  try {
    // ajv counts a string's length in code points where zod counts UTF-16 units: a string maxLength
    // would let ajv pass what zod refuses, so a schema with one is zod's alone.
    let stringMax = false;
    const form = (io: 'input' | 'output') =>
      z.toJSONSchema(schema, {
        target: 'draft-7',
        io,
        // A transform or a custom type: refuse, and zod checks this schema alone.
        unrepresentable: 'throw',
        override(ctx) {
          if (ctx.jsonSchema.type === 'string' && ctx.jsonSchema.maxLength !== undefined) stringMax = true;
          const refinement = declared.get(ctx.zodSchema as unknown as z.ZodType);
          if (refinement) Object.assign(ctx.jsonSchema, refinement);
        },
      });
    // Input: objects accept keys they do not name (zod drops them; the mappers never read them).
    const input = form('input');
    if (stringMax) return null;
    // A schema whose output differs from its input (a default filled in, a transform) is not
    // checkable in place: its two forms differ beyond the unknown keys output drops.
    if (JSON.stringify(strip(input)) !== JSON.stringify(strip(form('output')))) return null;
    delete input.$schema;
    return ajv.compile(input);
  } catch {
    // A form JSON Schema or ajv will not take: zod checks this schema alone.
    return null;
  }
}

/** A JSON Schema without `additionalProperties` (input allows unknown keys, output does not). */
function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'additionalProperties')
      .map(([key, inner]) => [key, strip(inner)]),
  );
}
