// How long graphql-jit takes to compile a document, against the two measures usergraph can take before
// compiling: the expanded size (src/cost/shape.ts: fields after fragment expansion) and the compiled
// size (src/cost/compiled-size.ts: fields per concrete type they are written for). Documents: aliases
// fanned out through fragments that nest through the abstract `User` (the hostile-documents issue's
// shape), plain nesting of linkedAccounts, and wide flat selections. Prints one line per document and
// the largest compiled size that compiled within each time bound.
//   npx tsx bench/jit-probe.ts [maxMs]
import { parse } from 'graphql';
import { compileQuery } from 'graphql-jit';
import { compiledSize } from '../src/cost/compiled-size.js';
import { shapeOf } from '../src/cost/shape.js';
import { buildSchema } from '../src/schema/index.js';

const schema = buildSchema();
const maxMs = Number(process.argv[2] ?? 3_000);

/** `levels` fragments, each with `fan` aliases of linkedAccounts spreading the next one. */
function fanned(levels: number, fan: number): string {
  const fragments: string[] = [];
  for (let level = 0; level < levels; level += 1) {
    const next = level + 1 < levels ? `...F${level + 1}` : 'id displayName';
    const aliases = Array.from(
      { length: fan },
      (_, i) => `a${i}: linkedAccounts { matchedEmail user { id ${next} } }`,
    ).join(' ');
    fragments.push(`fragment F${level} on User { id ${aliases} }`);
  }
  return `query { nodes(ids: ["x"]) { ...F0 } } ${fragments.join(' ')}`;
}

function nested(levels: number): string {
  let inner = 'id displayName';
  for (let i = 0; i < levels; i += 1) inner = `id linkedAccounts { matchedEmail user { ${inner} } }`;
  return `query { nodes(ids: ["x"]) { ... on User { ${inner} } } }`;
}

function wide(count: number): string {
  const fields = Array.from({ length: count }, (_, i) => `f${i}: displayName`).join(' ');
  return `query { users(first: 5) { nodes { ${fields} } } }`;
}

const cases: [string, string][] = [];
for (let levels = 1; levels <= 5; levels += 1) cases.push([`nested ${levels}`, nested(levels)]);
for (const [levels, fan] of [
  [2, 2],
  [2, 4],
  [2, 8],
  [3, 2],
  [3, 3],
  [3, 4],
  [3, 5],
  [3, 6],
  [3, 8],
  [4, 2],
  [4, 3],
  [4, 4],
  [5, 2],
  [6, 2],
] as const) {
  cases.push([`fanned ${levels}×${fan}`, fanned(levels, fan)]);
}
for (const count of [50, 200, 800, 2_000]) cases.push([`wide ${count}`, wide(count)]);

const rows: { name: string; fields: number; compiled: number; ms: number }[] = [];
for (const [name, text] of cases) {
  const document = parse(text);
  const fields = shapeOf(document).fields;
  const compiled = compiledSize(schema, document);
  if (compiled > 30_000) {
    console.log(`${name.padEnd(14)} fields ${String(fields).padStart(8)} compiled ${compiled}: skipped`);
    continue;
  }
  const started = performance.now();
  const result = compileQuery(schema, document) as { query?: { toString(): string } };
  const ms = performance.now() - started;
  const source = result.query?.toString().length ?? 0;
  rows.push({ name, fields, compiled, ms });
  console.log(
    `${name.padEnd(14)} fields ${String(fields).padStart(8)} compiled ${String(compiled).padStart(8)} source ${String(source).padStart(9)} ${ms.toFixed(1).padStart(8)} ms`,
  );
  if (ms > maxMs) console.log('(over maxMs)');
}
for (const bound of [10, 20, 50, 100]) {
  const within = rows.filter((row) => row.ms <= bound).map((row) => row.compiled);
  const over = rows.filter((row) => row.ms > bound).map((row) => row.compiled);
  console.log(
    `≤ ${bound} ms: largest compiled size ${Math.max(0, ...within)}; smallest over it ${over.length ? Math.min(...over) : '—'}`,
  );
}
