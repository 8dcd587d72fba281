import { GraphQLError, Kind } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { CODE, type PublicCode } from '../../codes/public-codes.js';
import { publicError } from '../../graphql/graphql-errors.js';

function coded(error: GraphQLError, code: PublicCode): GraphQLError {
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
 * GRAPHQL_PARSE_FAILED, an operation type the schema has no root for OPERATION_NOT_SUPPORTED, a
 * document the schema does not allow GRAPHQL_VALIDATION_FAILED, and variables
 * that do not coerce (which graphql-js reports as a result with errors and no `data`, before any
 * resolver) BAD_USER_INPUT.
 */
export function useRequestErrors(): Plugin {
  return {
    onParse:
      () =>
      ({ result, replaceParseResult }) => {
        if (result instanceof GraphQLError) replaceParseResult(coded(result, CODE.GRAPHQL_PARSE_FAILED));
      },
    onValidate: ({ params, setResult }) => {
      // An operation type the schema has no root for (a mutation while usergraph serves queries only):
      // one coded refusal, before validation says it in words of its own (or execution fails uncoded).
      for (const definition of params.documentAST.definitions) {
        if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
        if (params.schema.getRootType(definition.operation) !== undefined) continue;
        setResult([
          publicError(
            CODE.OPERATION_NOT_SUPPORTED,
            `This server does not serve ${definition.operation} operations.`,
            { operation: definition.operation, http: { status: 400 } },
            [definition],
          ),
        ]);
        return;
      }
      return ({ result, setResult: replace }) => {
        if (result.length > 0) replace(result.map((error) => coded(error, CODE.GRAPHQL_VALIDATION_FAILED)));
      };
    },
    onExecute: () => ({
      onExecuteDone({ result, setResult }) {
        if (Symbol.asyncIterator in result || result.data !== undefined || !result.errors?.length) return;
        setResult({ ...result, errors: result.errors.map((error) => coded(error, CODE.BAD_USER_INPUT)) });
      },
    }),
  };
}
