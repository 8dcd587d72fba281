import type { Plugin } from '@envelop/core';
import { useGraphQlJit } from '@envelop/graphql-jit';
import {
  defaultFieldResolver,
  GraphQLError,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  getNullableType,
  isListType,
  isObjectType,
  type Source,
} from 'graphql';
import { shapeOf } from '../cost/shape.js';
import { asError } from '../directory/failures.js';

/**
 * Executes with graphql-jit: each document compiled once (cached with Yoga's parse cache), ~20%
 * more throughput than graphql-js's executor on usergraph's operations (BENCHMARKS.md).
 *
 * graphql-jit's field errors carry `locations` but not the AST nodes they came from, and Yoga rebuilds
 * every error from its nodes (or source and positions) when it serialises the answer, which dropped
 * `locations`. They are re-made here from the document's source, so answers keep them exactly as
 * graphql-js gives them (test/jit-parity.test.ts).
 */
export function useJit(options: { readonly maxDepth: number } = { maxDepth: JIT_MAX_DEPTH }): Plugin[] {
  return [
    useSettledLists(),
    // graphql-jit's compile time grows about threefold per level of abstract-type nesting
    // (bench/jit-probe.ts: 28 ms at depth 8, 208 ms at 12, 2.6 s at 16); deeper documents run on
    // graphql-js's executor instead, which has no compile step.
    useGraphQlJit({}, { enableIf: (args) => shapeOf(args.document).depth <= options.maxDepth }),
    useSourceLocations(),
  ];
}

/** Deepest document compiled with graphql-jit (about 30 ms of compile time at most). */
export const JIT_MAX_DEPTH = 8;

/** Applies `settleListItems` to the schema the app serves (each app builds its own; see below). */
function useSettledLists(): Plugin {
  const settled = new WeakSet<GraphQLSchema>();
  return {
    onSchemaChange: ({ schema }) => {
      if (settled.has(schema)) return;
      settled.add(schema);
      settleListItems(schema);
    },
  };
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

/**
 * Makes every list field resolve to one promise of settled items, a rejected item becoming its Error
 * (which GraphQL reports at the item's path and answers as null, exactly as for a rejected item).
 *
 * Why: usergraph executes with graphql-jit (BENCHMARKS.md), which mis-builds a list whose item
 * promises reject before the others resolve: `nodes(ids: [good, bad])` answered `[good]`, one item
 * short, with the error still at `["nodes", 1]`. Items that are already settled values or Errors it
 * handles as graphql-js does, so settling them first keeps answers identical under both executors
 * (test/jit-parity.test.ts). Lists that hold no promise pass through untouched.
 */
function settleListItems(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (!isListType(getNullableType(field.type))) continue;
      field.resolve = settling(field.resolve ?? defaultFieldResolver);
    }
  }
  return schema;
}

function settling(resolve: GraphQLFieldResolver<unknown, unknown>): GraphQLFieldResolver<unknown, unknown> {
  return (source, args, context, info) => {
    const value = resolve(source, args, context, info);
    return isPromise(value) ? value.then(settleItems) : settleItems(value);
  };
}

function settleItems(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  let pending = 0;
  for (const item of value) if (isPromise(item)) pending += 1;
  if (pending === 0) return value;
  // One reaction per item and one promise for the list: Promise.all over `item.then(…)` made two
  // more promises per item, and `nodes` lists hundreds (BENCHMARKS.md, issue 17).
  return new Promise((resolve) => {
    const settled: unknown[] = value.slice();
    const settle = (index: number, result: unknown) => {
      settled[index] = result;
      pending -= 1;
      if (pending === 0) resolve(settled);
    };
    value.forEach((item, index) => {
      if (!isPromise(item)) return;
      item.then(
        (result) => settle(index, result),
        (error: unknown) => settle(index, asError(error)),
      );
    });
  });
}

function isPromise(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
