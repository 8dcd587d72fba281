import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

function coded(error: GraphQLError, code: string): GraphQLError {
  // graphql-jit's request errors are plain objects shaped like GraphQLErrors, without extensions.
  if (typeof error.extensions?.code === 'string') return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code, http: { status: 400 } },
  });
}

/**
 * Every refusal of a request has a code, as the directory failures and limits do: a syntax error is
 * GRAPHQL_PARSE_FAILED, a document the schema does not allow GRAPHQL_VALIDATION_FAILED, and variables
 * that do not coerce (which graphql-js reports as a result with errors and no `data`, before any
 * resolver) BAD_USER_INPUT.
 */
export function useRequestErrors(): Plugin {
  return {
    onParse:
      () =>
      ({ result, replaceParseResult }) => {
        if (result instanceof GraphQLError) replaceParseResult(coded(result, 'GRAPHQL_PARSE_FAILED'));
      },
    onValidate:
      () =>
      ({ result, setResult }) => {
        if (result.length > 0) setResult(result.map((error) => coded(error, 'GRAPHQL_VALIDATION_FAILED')));
      },
    onExecute: () => ({
      onExecuteDone({ result, setResult }) {
        if (Symbol.asyncIterator in result || result.data !== undefined || !result.errors?.length) return;
        setResult({ ...result, errors: result.errors.map((error) => coded(error, 'BAD_USER_INPUT')) });
      },
    }),
  };
}
