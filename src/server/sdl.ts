import { printSubgraphSchema } from '@apollo/subgraph';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema } from '../schema/index.js';

/** The committed SDL: printed from the code, types and fields sorted so diffs stay small. */
export function printSortedSchema(): string {
  return `${printSchema(lexicographicSortSchema(buildSchema()))}\n`;
}

/**
 * The subgraph SDL with its federation directives, as composition (rover, @apollo/composition) reads it;
 * by default the shape every gateway plans (users keyed by `id` only).
 */
export function printSubgraphSdl(authDirectives = true, compositeKey = false): string {
  const schema = buildSchema({ federation: true, authDirectives, compositeKey });
  return `${printSubgraphSchema(lexicographicSortSchema(schema))}\n`;
}
