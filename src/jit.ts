import type { Plugin } from '@envelop/core';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { GraphQLError, type Source } from 'graphql';

/**
 * Executes with graphql-jit: each document compiled once (cached with Yoga's parse cache), ~20%
 * more throughput than graphql-js's executor on usergraph's operations (BENCHMARKS.md).
 *
 * graphql-jit's field errors carry `locations` but not the AST nodes they came from, and Yoga rebuilds
 * every error from its nodes (or source and positions) when it serialises the answer, which dropped
 * `locations`. They are re-made here from the document's source, so answers keep them exactly as
 * graphql-js gives them (test/jit-parity.test.ts).
 */
export function useJitExecution(): Plugin[] {
  return [useGraphQlJit(), useSourceLocations()];
}

function useSourceLocations(): Plugin {
  return {
    onExecute: () => ({
      onExecuteDone: ({ result, setResult, args }) => {
        if (Symbol.asyncIterator in result || !result.errors?.length) return;
        const source = args.document.loc?.source;
        if (source === undefined) return;
        setResult({ ...result, errors: result.errors.map((error) => located(error, source)) });
      },
    }),
  };
}

function located(error: GraphQLError, source: Source): GraphQLError {
  if (error.nodes !== undefined || error.positions !== undefined || !error.locations?.length) return error;
  const positions = error.locations.map(({ line, column }) => offsetOf(source.body, line, column));
  return new GraphQLError(error.message, {
    source,
    positions,
    path: error.path,
    originalError: error.originalError,
    extensions: error.extensions,
  });
}

/** The character offset of a 1-based line and column. */
function offsetOf(body: string, line: number, column: number): number {
  let offset = 0;
  for (let current = 1; current < line; current += 1) {
    const next = body.indexOf('\n', offset);
    if (next < 0) break;
    offset = next + 1;
  }
  return offset + column - 1;
}
