import { printSubgraphSchema } from '@apollo/subgraph';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema } from './schema/index.js';

/** The committed SDL: printed from the code, types and fields sorted so diffs stay small. */
export function printSortedSchema(): string {
  return `${printSchema(lexicographicSortSchema(buildSchema()))}\n`;
}

/** The subgraph SDL with its federation directives, as composition (rover, @apollo/composition) reads it. */
export function printSubgraphSdl(authDirectives = true): string {
  return `${printSubgraphSchema(lexicographicSortSchema(buildSchema({ federation: true, authDirectives })))}\n`;
}
