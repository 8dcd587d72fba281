import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { CODE } from '../../codes/public-codes.js';
import { UpstreamBudget } from '../../cost/budget.js';
import { type Estimate, estimateCalls } from '../../cost/estimate.js';
import type { LimitSettings } from '../../cost/limits.js';
import type { Context } from '../../graphql/context.js';

function tooExpensive(message: string, extensions: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, { extensions: { code: CODE.OPERATION_TOO_EXPENSIVE, ...extensions } });
}

/** What a client sees of an operation's cost with `extensions: { cost: true }` (or `"dry-run"`). */
function costOf(estimate: Estimate, max: number, budget?: UpstreamBudget) {
  return {
    estimate: estimate.perDirectory,
    total: estimate.total,
    max,
    ...(budget === undefined ? {} : { actual: Object.fromEntries(budget.used) }),
  };
}

/**
 * The upstream-call budget (src/cost/): before execution, the operation's upper bound of upstream calls
 * per directory from its document and variables; over `maxUpstreamCalls`, or over the per-operation caps
 * on ids and emails (entries counted as sent, before any is decoded), it is refused with
 * OPERATION_TOO_EXPENSIVE and no upstream call. Otherwise the
 * estimate becomes the operation's budget, which every upstream call takes from (HttpClient), a hard
 * ceiling. A request with `extensions: { cost: true }` gets `extensions.cost` (estimate and actual
 * calls); with `"dry-run"` it gets the estimate without being executed.
 */
export function useUpstreamBudget(
  limits: LimitSettings,
): Plugin<Context & { params?: { extensions?: Record<string, unknown> } }> {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const ctx = args.contextValue;
      const estimate = estimateCalls(
        args.schema,
        args.document,
        args.operationName,
        args.variableValues,
        ctx.directories,
        { ids: limits.ids, emails: limits.emails },
      );
      ctx.cost.estimate = estimate;
      const asked = ctx.params?.extensions?.cost;
      const refuse = (error: GraphQLError) =>
        setResultAndStopExecution({
          errors: [error],
          ...(asked ? { extensions: { cost: costOf(estimate, limits.maxUpstreamCalls) } } : {}),
        });
      // What the operation measures against each per-operation cap, in the order they are checked.
      const caps = [
        ['ids', estimate.ids, limits.ids, 'global ids (every entry sent counts)'],
        ['emails', estimate.emails, limits.emails, 'email addresses (every entry sent counts)'],
        [
          'maxUpstreamCalls',
          estimate.total,
          limits.maxUpstreamCalls,
          'upstream calls (see extensions.estimate)',
        ],
      ] as const;
      for (const [limit, measured, max, what] of caps) {
        if (measured <= max) continue;
        return refuse(
          tooExpensive(`The operation comes to ${measured} ${what}; at most ${max} per operation.`, {
            limit,
            max,
            measured,
            ...(limit === 'maxUpstreamCalls' ? { estimate: estimate.perDirectory } : {}),
          }),
        );
      }
      if (asked === 'dry-run') {
        return setResultAndStopExecution({
          data: null,
          extensions: { cost: costOf(estimate, limits.maxUpstreamCalls) },
        });
      }
      const budget = new UpstreamBudget(estimate.perDirectory);
      ctx.call.budget = budget;
      if (!asked) return;
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          setResult({
            ...result,
            extensions: { ...result.extensions, cost: costOf(estimate, limits.maxUpstreamCalls, budget) },
          });
        },
      };
    },
  };
}
