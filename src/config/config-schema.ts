import { z } from 'zod';
import { fileSchema } from './config.js';

/**
 * The JSON Schema of usergraph.yaml, generated from its zod model (the one source of truth) for editors
 * (`# yaml-language-server: $schema=…` in the example configs) and for the configuration reference.
 * As the file is written: defaults are optional, and strings may hold `${VARIABLE}`s.
 */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(fileSchema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return {
    $schema: schema.$schema,
    title: 'usergraph.yaml',
    description:
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the config file's own ${NAME} syntax
      'The usergraph configuration file. `${NAME}` in any string is replaced with the environment variable NAME.',
    ...(allowVariables(
      Object.fromEntries(Object.entries(schema).filter(([key]) => key !== '$schema')),
    ) as Record<string, unknown>),
  };
}

/** A string written as `${NAME}` (its value comes from the environment when the file is read). */
const VARIABLE = { type: 'string', pattern: '\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}' };

/** Every constrained string (length, pattern, format) also accepts one holding a `${VARIABLE}`. */
function allowVariables(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(allowVariables);
  if (node === null || typeof node !== 'object') return node;
  const entries = Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key, allowVariables(value)]),
  );
  const constrained = ['minLength', 'maxLength', 'pattern', 'format'].some((key) => key in entries);
  if (entries.type !== 'string' || !constrained) return entries;
  const { description, default: fallback, ...rule } = entries;
  return {
    ...(description === undefined ? {} : { description }),
    ...(fallback === undefined ? {} : { default: fallback }),
    anyOf: [rule, VARIABLE],
  };
}
