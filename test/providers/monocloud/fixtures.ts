import { readFileSync } from 'node:fs';

export function fixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

/** Objects the model carries whole: their inner keys are not fields of the payload contract. */
const OPAQUE = new Set(['claims', 'public_data', 'private_data']);

/** Every field path of a user payload, e.g. `emails[].authenticators`; opaque objects count as one field. */
export function fieldPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) {
    // A list of values is one field; a list of records contributes its items' fields (none when empty).
    if (value.every((item) => item === null || typeof item !== 'object'))
      return value.length > 0 ? [prefix] : [];
    return [...new Set(value.flatMap((item) => fieldPaths(item, `${prefix}[]`)))];
  }
  if (value !== null && typeof value === 'object') {
    return [
      ...new Set(
        Object.entries(value).flatMap(([key, inner]) => {
          const path = prefix ? `${prefix}.${key}` : key;
          return OPAQUE.has(key) ? [path] : fieldPaths(inner, path);
        }),
      ),
    ];
  }
  return [prefix];
}
