// How long graphql-jit takes to compile the deepest documents the default limits admit:
// linkedAccounts { user { linkedAccounts … } } nested to the depth limit (abstract types at every level).
import { parse } from 'graphql';
import { compileQuery } from 'graphql-jit';
import { DEFAULT_LIMITS } from '../src/cost/limits.js';
import { buildSchema } from '../src/schema/index.js';

const schema = buildSchema();
function nested(levels: number): string {
  let inner = 'id displayName';
  for (let i = 0; i < levels; i += 1) inner = `id linkedAccounts { matchedEmail user { ${inner} } }`;
  return `query { nodes(ids: ["x"]) { ... on User { ${inner} } } }`;
}
for (let levels = 1; levels <= 8; levels += 1) {
  const text = nested(levels);
  const depth = 2 + 2 * levels;
  const started = performance.now();
  compileQuery(schema, parse(text));
  const ms = performance.now() - started;
  console.log(
    `levels ${levels} depth ${depth}${depth > DEFAULT_LIMITS.depth ? ' (over the depth limit)' : ''}: compile ${ms.toFixed(1)} ms`,
  );
  if (ms > 5000) break;
}
