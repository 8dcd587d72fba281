import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Context } from '../context.js';
import type { LimitSettings } from '../cost/limits.js';

/**
 * What one principal may do per minute (rate-limiter-flexible): operations, and the upstream calls
 * their estimates add up to, so a caller cannot wear a directory down with many cheap-looking
 * operations either. Past either: RATE_LIMITED with `retryAfter` seconds (HTTP 429, Retry-After).
 * Runs after the estimate (use-upstream-budget.ts), before any upstream call.
 */
export function useRateLimit(limits: LimitSettings['perPrincipal']): Plugin<Context> {
  const operations = new RateLimiterMemory({ points: limits.operationsPerMinute, duration: 60 });
  const calls = new RateLimiterMemory({ points: limits.upstreamCallsPerMinute, duration: 60 });
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const ctx = args.contextValue;
      const key = `${ctx.principal.kind}:${ctx.principal.subject}`;
      try {
        await operations.consume(key, 1);
        const estimated = ctx.cost.estimate?.total ?? 0;
        if (estimated > 0) await calls.consume(key, estimated);
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        const retryAfter = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
        setResultAndStopExecution({
          errors: [
            new GraphQLError(
              `Too many operations or upstream calls for this caller; try again in ${retryAfter} s.`,
              {
                extensions: {
                  code: 'RATE_LIMITED',
                  retryAfter,
                  http: { status: 429, headers: { 'retry-after': String(retryAfter) } },
                },
              },
            ),
          ],
        });
      }
    },
  };
}
