import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { printSortedSchema, printSubgraphSdl } from '../src/server/sdl.js';

it('schema/schema.graphql matches the code (run `npm run schema` after changing the schema)', () => {
  expect(readFileSync(new URL('../schema/schema.graphql', import.meta.url), 'utf8')).toBe(
    printSortedSchema(),
  );
});

it('schema/subgraph.graphql matches the code (run `npm run schema` after changing the schema)', () => {
  expect(readFileSync(new URL('../schema/subgraph.graphql', import.meta.url), 'utf8')).toBe(
    printSubgraphSdl(),
  );
});

it('describes every type and field, so GraphiQL documents the whole API', () => {
  const sdl = printSortedSchema();
  const blocks = sdl.split('\n\n');
  const undocumented = blocks.filter(
    (block) => /^(type|interface|enum|input|scalar) /m.test(block) && !block.startsWith('"'),
  );
  expect(undocumented).toEqual([]);
  // Every field line is preceded by a description line.
  const lines = sdl.split('\n');
  const isField = (line: string) => /^ {2}\w+(\(.*\))?: /.test(line);
  expect(lines.filter(isField).length).toBeGreaterThan(100);
  const fieldsWithoutDescription = lines.filter(
    (line, index) => isField(line) && !/"""\s*$|^ {2}"""/.test(lines[index - 1] ?? ''),
  );
  expect(fieldsWithoutDescription).toEqual([]);
});
