// Writes the bench's operations as a trusted-documents manifest (GraphQL Code Generator's format), for
// comparing a build with trusted documents on and off:
//   tsx bench/trusted-manifest.ts <file>
//   COMPARE_CONFIG_B='{"trustedDocuments":{"mode":"only","manifests":["<file>"]}}' tsx bench/compare.ts …
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { sha256Hex } from '../src/documents/manifest.js';
import { ACCESS_PAGE, MERGED_PAGE, NODES, USER } from './scenarios.js';

const [file] = process.argv.slice(2);
if (!file) {
  console.error('usage: tsx bench/trusted-manifest.ts <file>');
  process.exit(2);
}
const documents = [USER, NODES, MERGED_PAGE, ACCESS_PAGE];
writeFileSync(
  resolve(file),
  `${JSON.stringify(Object.fromEntries(documents.map((d) => [sha256Hex(d), d])), null, 2)}\n`,
);
console.log(`wrote ${documents.length} trusted documents to ${resolve(file)}`);
