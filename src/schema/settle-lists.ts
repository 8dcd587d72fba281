import {
  defaultFieldResolver,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  getNullableType,
  isListType,
  isObjectType,
} from 'graphql';

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
  return (source, args, context, info) => {
    const value = resolve(source, args, context, info);
    return isPromise(value) ? value.then(settleItems) : settleItems(value);
  };
}

function settleItems(value: unknown): unknown {
  if (!Array.isArray(value) || !value.some(isPromise)) return value;
  return Promise.all(value.map((item) => (isPromise(item) ? item.then(undefined, asError) : item)));
}

function isPromise(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** A rejection is an Error for GraphQL to report; anything else thrown is wrapped so it still is one. */
function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
