import { type DocumentNode, type GraphQLError, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import type { Metrics, OperationOutcome } from '../observability/metrics.js';

/** Codes that mean usergraph refused the operation for its size or its caller's rate. */
const REFUSALS = new Set(['QUERY_TOO_COMPLEX', 'OPERATION_TOO_EXPENSIVE', 'RATE_LIMITED']);

function codesOf(errors: readonly (Error | GraphQLError)[] | undefined): string[] {
  return (errors ?? []).map((error) => {
    const code = (error as GraphQLError).extensions?.code;
    return typeof code === 'string' ? code : 'UNCODED';
  });
}

/**
 * Operations in the metrics (observability/metrics.ts): how each ended, how long it took, its errors by
 * code, its upstream calls per directory; refusals by the limit they crossed; documents that never
 * executed (syntax, validation, static limits) as `invalid` or `refused`.
 */
export function useOperationMetrics(metrics: Metrics): Plugin<Context> {
  const nameOf = (document: DocumentNode, operationName?: string | null) =>
    getOperationAST(document, operationName)?.name?.value;
  return {
    onParse:
      () =>
      ({ result }) => {
        if (!(result instanceof Error)) return;
        const codes = codesOf([result]);
        metrics.operation(null, REFUSALS.has(codes[0] ?? '') ? 'refused' : 'invalid', codes, null, null);
      },
    onValidate:
      ({ params }) =>
      ({ result }) => {
        if (result.length === 0) return;
        const codes = codesOf(result);
        const refused = codes.some((code) => REFUSALS.has(code));
        metrics.operation(nameOf(params.documentAST), refused ? 'refused' : 'invalid', codes, null, null);
      },
    onExecute({ args }) {
      const started = performance.now();
      return {
        onExecuteDone({ result }) {
          if (Symbol.asyncIterator in result) return;
          const codes = codesOf(result.errors);
          const outcome: OperationOutcome =
            codes.some((code) => REFUSALS.has(code)) && !result.data
              ? 'refused'
              : codes.length === 0
                ? 'ok'
                : result.data
                  ? 'partial'
                  : 'error';
          const budget = args.contextValue.call.budget as { used?: ReadonlyMap<string, number> } | undefined;
          metrics.operation(
            nameOf(args.document, args.operationName),
            outcome,
            codes,
            (performance.now() - started) / 1000,
            budget?.used ?? null,
          );
        },
      };
    },
  };
}
