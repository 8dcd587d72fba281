// `npm run schema`: rewrites schema/schema.graphql from the code. A test fails when it drifts.
import { writeFileSync } from 'node:fs';
import { printSortedSchema } from '../src/schema/print.js';

writeFileSync(new URL('../schema/schema.graphql', import.meta.url), printSortedSchema());
console.log('wrote schema/schema.graphql');
