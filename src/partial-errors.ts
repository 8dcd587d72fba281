import { GraphQLError, type GraphQLResolveInfo, responsePathAsArray } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { type DirectoryFailure, publicDirectoryError } from './errors.js';

/**
 * Fields that combine several directories (merged lists, email lookups) still answer with the healthy
 * directories' data when one fails; the failure must not be hidden. A resolver cannot both return data
 * and throw, so it records the failure here and `usePartialErrors` adds it to the response's errors.
 */
export class PartialErrors {
  readonly errors: GraphQLError[] = [];

  report(info: GraphQLResolveInfo, failure: DirectoryFailure): void {
    const { message, extensions } = publicDirectoryError(failure);
    this.errors.push(
      new GraphQLError(message, { nodes: info.fieldNodes, path: responsePathAsArray(info.path), extensions }),
    );
  }
}

export function usePartialErrors(): Plugin<{ partialErrors: PartialErrors }> {
  return {
    onExecute: () => ({
      onExecuteDone: ({ result, setResult, args }) => {
        const recorded = args.contextValue.partialErrors.errors;
        if (recorded.length === 0 || Symbol.asyncIterator in result) return;
        setResult({ ...result, errors: [...(result.errors ?? []), ...recorded] });
      },
    }),
  };
}
