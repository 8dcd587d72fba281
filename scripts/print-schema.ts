// `npm run schema` rewrites schema/schema.graphql from the code; `--check` fails when it has drifted.
import { readFileSync, writeFileSync } from 'node:fs';
import { printSortedSchema } from '../src/schema/print.js';

const target = new URL('../schema/schema.graphql', import.meta.url);
const printed = printSortedSchema();
if (process.argv.includes('--check')) {
  if (readFileSync(target, 'utf8') !== printed) {
    console.error('schema/schema.graphql is stale: run `npm run schema` and commit the result.');
    process.exit(1);
  }
  console.log('schema/schema.graphql is up to date');
} else {
  writeFileSync(target, printed);
  console.log('wrote schema/schema.graphql');
}
