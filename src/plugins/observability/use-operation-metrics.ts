import { type DocumentNode, type GraphQLError, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { CODE, type PublicCode } from '../../codes/public-codes.js';
import type { Context } from '../../graphql/context.js';
import { publicCode } from '../../graphql/graphql-errors.js';
import type { Metrics, OperationOutcome } from '../../observability/metrics.js';

/** Codes that mean usergraph refused the operation for its size or its caller's rate. */
const REFUSALS: ReadonlySet<unknown> = new Set<PublicCode>([
  CODE.QUERY_TOO_COMPLEX,
  CODE.OPERATION_TOO_EXPENSIVE,
  CODE.RATE_LIMITED,
]);

/** Codes as the caller sees them; a parse or validation error gets Yoga's code only later, so `uncoded` says it. */
function codesOf(errors: readonly (Error | GraphQLError)[] | undefined, uncoded?: PublicCode): string[] {
  return (errors ?? []).map((error) => {
    const code = (error as GraphQLError).extensions?.code;
    return uncoded !== undefined && typeof code !== 'string' ? uncoded : publicCode(error);
  });
}

/** The limit a refused operation crossed (`extensions.limit`; a principal's rate for RATE_LIMITED). */
function refusedLimit(errors: readonly (Error | GraphQLError)[] | undefined): string | null {
  for (const error of errors ?? []) {
    const extensions = (error as GraphQLError).extensions;
    if (!REFUSALS.has(extensions?.code)) continue;
    if (extensions?.code === CODE.RATE_LIMITED) return 'rate';
    const limit = extensions?.limit;
    return typeof limit === 'string' && /^[A-Za-z]{1,32}$/.test(limit) ? limit : 'other';
  }
  return null;
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
        const codes = codesOf([result], CODE.GRAPHQL_PARSE_FAILED);
        const limit = refusedLimit([result]);
        if (limit !== null) metrics.refused(limit);
        metrics.operation(null, limit !== null ? 'refused' : 'invalid', codes, null, null);
      },
    onValidate:
      ({ params }) =>
      ({ result }) => {
        if (result.length === 0) return;
        const codes = codesOf(result, CODE.GRAPHQL_VALIDATION_FAILED);
        const limit = refusedLimit(result);
        if (limit !== null) metrics.refused(limit);
        metrics.operation(
          nameOf(params.documentAST),
          limit !== null ? 'refused' : 'invalid',
          codes,
          null,
          null,
        );
      },
    onExecute({ args }) {
      const started = performance.now();
      return {
        onExecuteDone({ result }) {
          if (Symbol.asyncIterator in result) return;
          const codes = codesOf(result.errors);
          const limit = result.data ? null : refusedLimit(result.errors);
          if (limit !== null) metrics.refused(limit);
          const outcome: OperationOutcome =
            limit !== null ? 'refused' : codes.length === 0 ? 'ok' : result.data ? 'partial' : 'error';
          const budget = args.contextValue.call.budget;
          for (const action of args.contextValue.actions) {
            for (const account of action.accounts) metrics.action(action.action, account.outcome);
          }
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
