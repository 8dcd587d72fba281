import { Ajv, type ValidateFunction } from 'ajv';
import { z } from 'zod';
import { jsonObject } from './json-object.js';

// A provider contract is written once, in zod (src/providers/*/wire.ts). zod checks a body by building
// a copy of it, which cost ~1.5 µs per user (~5% of a 60-user query's CPU); an ajv validator compiled
// from the same schema checks the parsed body in place in ~0.45 µs (BENCHMARKS.md, issue 17). Only a
// schema whose output IS its input can be checked that way: no transforms, defaults, coercion or
// refinements ajv cannot express. Any other schema keeps zod (`compiledCheck` answers null), and
// test/http/compiled-schema.test.ts holds ajv and zod to the same verdict on generated payloads.

/** Kinds of zod schema whose parse returns the input's own values (unknown keys aside). */
const SAME_OUTPUT = new Set([
  'object',
  'array',
  'string',
  'number',
  'boolean',
  'null',
  'enum',
  'literal',
  'union',
  'optional',
  'nullable',
  'record',
  'unknown',
]);

/** Whether ajv tests a zod check (a refinement aside) exactly as zod does, in its JSON Schema form. */
function checkedAlike(kind: string, format: string | undefined, type: string): boolean {
  switch (kind) {
    case 'min_length':
    case 'greater_than':
    case 'less_than':
      return true;
    // maxItems counts alike; not maxLength: ajv counts code points where zod counts UTF-16 units, and
    // would pass what zod refuses.
    case 'max_length':
      return type === 'array';
    // zod writes a datetime's and a regex's pattern, which ajv tests.
    case 'string_format':
      return format === 'regex' || format === 'datetime';
    case 'number_format':
      return format === 'safeint' || format === 'int32' || format === 'uint32';
    default:
      return false;
  }
}

/** Refinements described in JSON Schema by the contract that wrote them (see `refinedAs`). */
const refinements = new WeakMap<z.ZodType, Record<string, unknown>>();

/**
 * Says what a schema's `.refine()` checks, as a JSON Schema fragment merged into its compiled form;
 * without one, a refined schema is checked by zod alone.
 */
export function refinedAs<S extends z.ZodType>(schema: S, fragment: Record<string, unknown>): S {
  refinements.set(schema, fragment);
  return schema;
}

interface ZodInternals {
  readonly _zod: {
    readonly def: {
      readonly type: string;
      readonly coerce?: boolean;
      readonly checks?: readonly { readonly _zod: { readonly def: { check: string; format?: string } } }[];
    };
  };
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
 * when the schema changes what it parses (then only zod will do). Compiled once per schema.
 */
export function compiledCheck(schema: z.ZodType): ValidateFunction | null {
  let check = compiled.get(schema);
  if (check === undefined) {
    check = compile(schema);
    compiled.set(schema, check);
  }
  return check;
}

function compile(schema: z.ZodType): ValidateFunction | null {
  let exact = true;
  const json = z.toJSONSchema(schema, {
    target: 'draft-7',
    // Input: objects accept keys they do not name (zod drops them; the mappers never read them).
    io: 'input',
    unrepresentable: 'any',
    override(ctx) {
      const zod = ctx.zodSchema as unknown as ZodInternals & z.ZodType;
      if (zod === jsonObject) {
        ctx.jsonSchema.type = 'object';
        return;
      }
      const { def } = zod._zod;
      if (!SAME_OUTPUT.has(def.type) || def.coerce === true) exact = false;
      for (const check of def.checks ?? []) {
        const { check: kind, format } = check._zod.def;
        if (kind !== 'custom') {
          if (!checkedAlike(kind, format, def.type)) exact = false;
          continue;
        }
        const fragment = refinements.get(zod);
        if (fragment === undefined) exact = false;
        else Object.assign(ctx.jsonSchema, fragment);
      }
    },
  });
  if (!exact) return null;
  delete json.$schema;
  try {
    return ajv.compile(json);
  } catch {
    // A form ajv will not take (a pattern it cannot compile, say): zod checks this schema alone.
    return null;
  }
}
