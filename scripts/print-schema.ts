// `npm run schema` rewrites what is generated from the code: schema/schema.graphql and
// schema/subgraph.graphql (the SDL), schema/possible-types.json (Apollo Client's possibleTypes), schema/usergraph.schema.json (the config file's JSON Schema, from
// its zod model), docs/configuration.md (the reference, from that schema) and docs/errors.md (the public
// codes, from src/public-codes.ts); `--check` fails when any
// has drifted.
import { readFileSync, writeFileSync } from 'node:fs';
import { plugin as fragmentMatcher } from '@graphql-codegen/fragment-matcher';
import { buildSchema } from 'graphql';
import { errorCodesReference } from '../src/codes/public-codes.js';
import { configReference } from '../src/config/config-reference.js';
import { configJsonSchema } from '../src/config/config-schema.js';
import { printSortedSchema, printSubgraphSdl } from '../src/server/sdl.js';

/**
 * Apollo Client's `possibleTypes` (which concrete types an interface fragment such as `... on User`
 * matches): GraphQL Code Generator's fragment-matcher output for the printed schema.
 */
async function possibleTypes(sdl: string): Promise<string> {
  const output = await fragmentMatcher(
    buildSchema(sdl),
    [],
    {
      apolloClientVersion: 3,
      deterministic: true,
    },
    { outputFile: 'schema/possible-types.json' },
  );
  return `${JSON.stringify(JSON.parse(String(output)), null, 2)}\n`;
}

const sdl = printSortedSchema();
const files = [
  { name: 'schema/schema.graphql', text: sdl },
  { name: 'schema/possible-types.json', text: await possibleTypes(sdl) },
  { name: 'schema/subgraph.graphql', text: printSubgraphSdl() },
  { name: 'schema/usergraph.schema.json', text: `${JSON.stringify(configJsonSchema(), null, 2)}\n` },
  { name: 'docs/configuration.md', text: configReference() },
  { name: 'docs/errors.md', text: errorCodesReference() },
];
const check = process.argv.includes('--check');
let stale = false;
for (const file of files) {
  const target = new URL(`../${file.name}`, import.meta.url);
  if (check) {
    let current = '';
    try {
      current = readFileSync(target, 'utf8');
    } catch {}
    if (current !== file.text) {
      console.error(`${file.name} is stale: run \`npm run schema\` and commit the result.`);
      stale = true;
    } else console.log(`${file.name} is up to date`);
  } else {
    writeFileSync(target, file.text);
    console.log(`wrote ${file.name}`);
  }
}
if (stale) process.exit(1);
