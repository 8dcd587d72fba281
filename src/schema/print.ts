import { printSubgraphSchema } from '@apollo/subgraph';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema, subgraphSchema } from './index.js';

/** The committed SDL: printed from the code, types and fields sorted so diffs stay small. */
export function printSortedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

/** The subgraph SDL with its federation directives, as composition (rover, @apollo/composition) reads it. */
export function printSubgraphSdl(): string {
  return `${printSubgraphSchema(lexicographicSortSchema(subgraphSchema()))}\n`;
}
