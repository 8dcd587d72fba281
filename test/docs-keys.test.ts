import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

// The docs cannot name a setting the config does not have: every key of every usergraph.yaml example
// in README.md and docs/*.md (and the example files), and every backticked dotted setting
// (`server.maxBodyBytes`, `tls.ca`), must exist in schema/usergraph.schema.json.

type JsonSchema = {
  readonly properties?: Record<string, JsonSchema>;
  readonly additionalProperties?: boolean | JsonSchema;
  readonly items?: JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly allOf?: readonly JsonSchema[];
};

const root = new URL('../', import.meta.url);
const schema = JSON.parse(readFileSync(new URL('schema/usergraph.schema.json', root), 'utf8')) as JsonSchema;

/** The schema's alternatives at one place (a union offers several). */
function branches(node: JsonSchema): JsonSchema[] {
  const alternatives = [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])];
  return alternatives.length === 0 ? [node] : [node, ...alternatives.flatMap(branches)];
}

/** What `key` holds under any of `nodes`; empty when none of them has it. */
function child(nodes: readonly JsonSchema[], key: string): JsonSchema[] {
  return nodes.flatMap(branches).flatMap((node) => {
    const named = node.properties?.[key];
    if (named !== undefined) return [named];
    return typeof node.additionalProperties === 'object' ? [node.additionalProperties] : [];
  });
}

const items = (nodes: readonly JsonSchema[]) =>
  nodes.flatMap(branches).flatMap((node) => (node.items === undefined ? [] : [node.items]));

/** Every key path of a YAML value the schema has no place for. */
function unknownKeys(value: unknown, nodes: readonly JsonSchema[], at: string): string[] {
  if (Array.isArray(value))
    return value.flatMap((item, index) => unknownKeys(item, items(nodes), `${at}[${index}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => {
    const found = child(nodes, key);
    const path = at === '' ? key : `${at}.${key}`;
    return found.length === 0 ? [path] : unknownKeys(inner, found, path);
  });
}

const DIRECTORY = items(child([schema], 'directories'));
const TOP = new Set(Object.keys(schema.properties ?? {}));
const PER_DIRECTORY = new Set(
  DIRECTORY.flatMap(branches).flatMap((node) => Object.keys(node.properties ?? {})),
);

const docs = [
  'README.md',
  'ARCHITECTURE.md',
  ...readdirSync(new URL('docs/', root))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];
const text = (path: string) => readFileSync(new URL(path, root), 'utf8');

describe('every setting the docs name exists in the config schema', () => {
  it('in the usergraph.yaml examples of the docs', () => {
    const unknown: string[] = [];
    let checked = 0;
    for (const path of docs) {
      const blocks = [...text(path).matchAll(/```ya?ml\n([\s\S]*?)```/g)];
      for (const value of blocks.flatMap(([, block]) =>
        parseAllDocuments(block ?? '').map((doc) => doc.toJS() as unknown),
      )) {
        if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
        // A Kubernetes manifest, a compose file or a Prometheus rule is not usergraph's config.
        const keys = Object.keys(value);
        const fromRoot = keys.some((key) => TOP.has(key));
        const fromDirectory = !fromRoot && keys.some((key) => PER_DIRECTORY.has(key) && key !== 'name');
        if (!fromRoot && !fromDirectory) continue;
        checked += 1;
        unknown.push(
          ...unknownKeys(value, fromRoot ? [schema] : DIRECTORY, '').map((key) => `${path}: ${key}`),
        );
      }
    }
    expect(unknown).toEqual([]);
    expect(checked).toBeGreaterThan(3);
  });

  it('as backticked dotted settings (`server.maxBodyBytes`, `tls.ca`)', () => {
    const unknown: string[] = [];
    let checked = 0;
    for (const path of docs) {
      for (const [, setting] of text(path).matchAll(/`([a-z][A-Za-z]*(?:\.[a-z][A-Za-z]*)+)`/g)) {
        const parts = (setting ?? '').split('.');
        // A file name (`directories.ts`, `usergraph.yaml`), not a setting.
        if (/^(ts|js|mjs|md|ya?ml|json|graphql)$/.test(parts.at(-1) ?? '')) continue;
        const first = parts[0] ?? '';
        const start = TOP.has(first) ? [schema] : PER_DIRECTORY.has(first) ? DIRECTORY : null;
        // Not a setting: `extensions.code`, `usergraph.yaml`, `index.ts`…
        if (start === null) continue;
        checked += 1;
        let nodes: JsonSchema[] = start;
        for (const part of parts) {
          nodes = child(nodes, part);
          if (nodes.length === 0) break;
        }
        if (nodes.length === 0) unknown.push(`${path}: ${setting}`);
      }
    }
    expect(unknown).toEqual([]);
    expect(checked).toBeGreaterThan(20);
  });

  it('would notice a setting that does not exist', () => {
    expect(unknownKeys({ server: { maxBodyBites: 1 } }, [schema], '')).toEqual(['server.maxBodyBites']);
    expect(unknownKeys({ directories: [{ name: 'a', tls: { cert: 'x' } }] }, [schema], '')).toEqual([
      'directories[0].tls.cert',
    ]);
  });
});
