import { readdirSync, readFileSync } from 'node:fs';
import { type DocumentNode, Kind, NoUnusedFragmentsRule, parse, specifiedRules, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../src/schema/index.js';

// The manual's GraphQL examples work as written: every ```graphql block in README.md and docs/*.md
// parses, and each operation in it (a block may list several, one after another) validates against the
// schema usergraph serves. A block of type definitions (another subgraph's schema) is only parsed.

/** Each operation of a block on its own, with the block's fragments. */
function operations(document: DocumentNode): DocumentNode[] {
  const fragments = document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION);
  return document.definitions
    .filter((definition) => definition.kind === Kind.OPERATION_DEFINITION)
    .map((operation) => ({ kind: Kind.DOCUMENT, definitions: [operation, ...fragments] }));
}

const RULES = specifiedRules.filter((rule) => rule !== NoUnusedFragmentsRule);

const files = ['README.md', ...readdirSync('docs').map((name) => `docs/${name}`)].filter((file) =>
  file.endsWith('.md'),
);

function blocks(text: string): string[] {
  return [...text.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
}

describe('the manual’s GraphQL examples', () => {
  let checked = 0;
  const plain = buildSchema();
  const subgraph = buildSchema({ federation: true });
  for (const file of files) {
    const examples = blocks(readFileSync(file, 'utf8'));
    if (examples.length === 0) continue;
    it(`${file}: ${examples.length} example(s) parse and validate`, () => {
      const problems: string[] = [];
      for (const [index, example] of examples.entries()) {
        try {
          const schema = file === 'docs/federation.md' ? subgraph : plain;
          for (const operation of operations(parse(example))) {
            checked += 1;
            for (const error of validate(schema, operation, RULES))
              problems.push(`#${index + 1}: ${error.message}`);
          }
        } catch (error) {
          problems.push(`#${index + 1}: ${(error as Error).message}`);
        }
      }
      expect(problems).toEqual([]);
    });
  }

  it('are operations, not only type definitions', () => {
    expect(checked).toBeGreaterThanOrEqual(10);
  });
});
