import type { Plugin } from 'graphql-yoga';
import type { PartialErrors } from '../../graphql/partial-errors.js';

/** Adds what resolvers recorded in the request's PartialErrors to the response's errors and warnings. */
export function usePartialErrors(): Plugin<{ partialErrors: PartialErrors }> {
  return {
    onExecute: () => ({
      onExecuteDone: ({ result, setResult, args }) => {
        const { errors, warnings } = args.contextValue.partialErrors;
        if ((errors.length === 0 && warnings.length === 0) || Symbol.asyncIterator in result) return;
        setResult({
          ...result,
          ...(errors.length > 0 ? { errors: [...(result.errors ?? []), ...errors] } : {}),
          ...(warnings.length > 0 ? { extensions: { ...result.extensions, warnings } } : {}),
        });
      },
    }),
  };
}
