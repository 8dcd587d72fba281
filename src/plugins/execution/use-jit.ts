import { makeExecute, makeSubscribe, type Plugin } from '@envelop/core';
import { handleMaybePromise, isPromise } from '@whatwg-node/promise-helpers';
import {
  type DocumentNode,
  defaultFieldResolver,
  type ExecutionArgs,
  type ExecutionResult,
  GraphQLError,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  getNullableType,
  getOperationAST,
  isListType,
  isObjectType,
  type Source,
} from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';
import { compiledSize } from '../../cost/compiled-size.js';
import { asError } from '../../directory/failures.js';

export interface JitOptions {
  /**
   * Largest compiled size (cost/compiled-size.ts) compiled for a document nobody vetted; larger ones
   * run on graphql-js's executor, which has no compile step.
   */
  readonly maxCompiledSize: number;
  /** What compiled documents may hold, in estimated bytes (compiled size × JIT_BYTES_PER_UNIT). */
  readonly cacheBytes: number;
  /** A document's compiled form prepared ahead of time (trusted documents): used as is, never evicted. */
  readonly prepared?: (
    document: DocumentNode,
    operationName: string | undefined,
  ) => CompiledQuery | undefined;
}

/**
 * Compile time and memory of graphql-jit follow the compiled size, steepest for abstract types nested
 * in each other (bench/jit-probe.ts: ~0.1 ms and ~4 KB per unit there). 150 keeps one compile near
 * 15 ms; every operation in the tests and the bench is below 60.
 */
export const JIT_MAX_COMPILED_SIZE = 150;
export const JIT_BYTES_PER_UNIT = 4_096;
export const JIT_CACHE_BYTES = 32 * 2 ** 20;

/**
 * Executes with graphql-jit: each operation compiled once and kept, for throughput over graphql-js's
 * executor (BENCHMARKS.md, "Hand-tuned spots"). Only operations whose compiled
 * size is within `maxCompiledSize` are compiled (or prepared ones), and the compiled code is kept in a
 * cache bounded by bytes, so no document can make a compile take long or memory grow without bound.
 * Keyed by document and operation name: a document with several operations compiles each on its own.
 *
 * graphql-jit's field errors carry `locations` but not the AST nodes they came from, and Yoga rebuilds
 * every error from its nodes (or source and positions) when it serialises the answer, which dropped
 * `locations`. They are re-made here from the document's source, so answers keep them exactly as
 * graphql-js gives them (test/jit-parity.test.ts).
 */
export function useJit(
  options: JitOptions = {
    maxCompiledSize: JIT_MAX_COMPILED_SIZE,
    cacheBytes: JIT_CACHE_BYTES,
  },
): Plugin[] {
  return [useCompiled(options), useSourceLocations()];
}

type Compiled = Pick<CompiledQuery, 'query' | 'stringify' | 'subscribe'>;

function useCompiled(options: JitOptions): Plugin {
  // Lookups go through the WeakMap (by document, then operation name); the LRU holds what is kept and
  // its bytes, and takes an entry out of the WeakMap when it evicts it.
  const byDocument = new WeakMap<DocumentNode, Map<string, Compiled | null>>();
  const kept = new LRUCache<Compiled, { document: DocumentNode; name: string; bytes: number }>({
    maxSize: options.cacheBytes,
    sizeCalculation: (entry) => entry.bytes,
    dispose: (entry) => byDocument.get(entry.document)?.delete(entry.name),
  });
  const compiledFor = (args: ExecutionArgs): Compiled | null => {
    const name = args.operationName ?? '';
    let operations = byDocument.get(args.document);
    const known = operations?.get(name);
    if (known !== undefined) {
      if (known !== null) kept.get(known);
      return known;
    }
    const prepared = options.prepared?.(args.document, args.operationName ?? undefined);
    if (prepared !== undefined) return prepared;
    if (operations === undefined) {
      operations = new Map();
      byDocument.set(args.document, operations);
    }
    // Queries, and subscriptions (their selection runs once per event); a mutation runs once per
    // request anyway, through graphql-js's serial executor.
    const operation = getOperationAST(args.document, args.operationName)?.operation;
    const size =
      operation === 'query' || operation === 'subscription'
        ? compiledSize(args.schema, args.document, args.operationName)
        : Number.POSITIVE_INFINITY;
    if (size > options.maxCompiledSize) {
      operations.set(name, null);
      return null;
    }
    const result = compileQuery(args.schema, args.document, args.operationName ?? undefined);
    const compiled: Compiled = isCompiledQuery(result)
      ? result
      : { query: () => result, stringify: JSON.stringify };
    operations.set(name, compiled);
    kept.set(compiled, { document: args.document, name, bytes: Math.max(1, size) * JIT_BYTES_PER_UNIT });
    return compiled;
  };
  return {
    onExecute({ args, setExecuteFn }) {
      const compiled = compiledFor(args);
      if (compiled === null) return;
      setExecuteFn(
        makeExecute((executed) => {
          return handleMaybePromise(
            () => compiled.query(executed.rootValue, executed.contextValue, executed.variableValues),
            withStringify(compiled),
          );
        }),
      );
    },
    onSubscribe({ args, setSubscribeFn }) {
      const compiled = compiledFor(args);
      const subscribe = compiled?.subscribe;
      if (subscribe === undefined) return;
      setSubscribeFn(
        makeSubscribe((subscribed) =>
          subscribe(subscribed.rootValue, subscribed.contextValue, subscribed.variableValues),
        ),
      );
    },
  };
}

/** Yoga serialises a result with its `stringify` when it has one (graphql-jit's own). */
function withStringify(compiled: Compiled) {
  return (result: ExecutionResult) => Object.assign(result, { stringify: compiled.stringify });
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
 * (applied by createApp to the schema it builds, before anything is compiled against it)
 * (which GraphQL reports at the item's path and answers as null, exactly as for a rejected item).
 *
 * Why: usergraph executes with graphql-jit (above), which mis-builds a list whose item
 * promises reject before the others resolve: `nodes(ids: [good, bad])` answered `[good]`, one item
 * short, with the error still at `["nodes", 1]`. Items that are already settled values or Errors it
 * handles as graphql-js does, so settling them first keeps answers identical under both executors
 * (test/jit-parity.test.ts). Lists that hold no promise pass through untouched.
 */
export function settleListItems(schema: GraphQLSchema): GraphQLSchema {
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
  return (source, args, context, info) =>
    handleMaybePromise(() => resolve(source, args, context, info), settleItems);
}

/** A list whose items are promises, as one promise of the list, each rejection in its place as an Error. */
function settleItems(value: unknown): unknown {
  if (!Array.isArray(value) || !value.some(isPromise)) return value;
  return Promise.all(value.map((item) => (isPromise(item) ? item.then(undefined, asError) : item)));
}
