// `npm run schema` rewrites schema/schema.graphql and schema/subgraph.graphql from the code;
// `--check` fails when either has drifted.
import { readFileSync, writeFileSync } from 'node:fs';
import { printSortedSchema, printSubgraphSdl } from '../src/sdl.js';

const files = [
  { name: 'schema/schema.graphql', text: printSortedSchema() },
  { name: 'schema/subgraph.graphql', text: printSubgraphSdl() },
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
