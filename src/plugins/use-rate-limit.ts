import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Context } from '../context.js';
import type { LimitSettings } from '../cost/limits.js';
import type { DirectoryProvider } from '../directory/port.js';

/**
 * What one principal may do per minute (rate-limiter-flexible): operations, and the upstream calls
 * their estimates add up to, so a caller cannot wear a directory down with many cheap-looking
 * operations either; and of a directory whose outbound rate is bounded (a quota), at most
 * `directoryShare` of that rate. Past either: RATE_LIMITED with `retryAfter` seconds (HTTP 429, Retry-After).
 * Runs after the estimate (use-upstream-budget.ts), before any upstream call.
 */
export function useRateLimit(limits: LimitSettings['perPrincipal']): Plugin<Context> {
  const operations = new RateLimiterMemory({ points: limits.operationsPerMinute, duration: 60 });
  const calls = new RateLimiterMemory({ points: limits.upstreamCallsPerMinute, duration: 60 });
  // Per directory whose outbound rate is bounded below the principal's own cap: its share of it.
  const perDirectory = new Map<string, RateLimiterMemory | null>();
  const directoryLimiter = (directory: DirectoryProvider | undefined): RateLimiterMemory | null => {
    if (directory === undefined) return null;
    let limiter = perDirectory.get(directory.name);
    if (limiter === undefined) {
      const ceiling = directory.health?.().rate?.ceiling;
      const points =
        ceiling === undefined ? null : Math.max(1, Math.floor(ceiling * 60 * limits.directoryShare));
      limiter =
        points === null || points >= limits.upstreamCallsPerMinute
          ? null
          : new RateLimiterMemory({ points, duration: 60, keyPrefix: directory.name });
      perDirectory.set(directory.name, limiter);
    }
    return limiter;
  };
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const ctx = args.contextValue;
      const key = `${ctx.principal.kind}:${ctx.principal.subject}`;
      try {
        await operations.consume(key, 1);
        const estimate = ctx.cost.estimate;
        if (estimate !== undefined && estimate.total > 0) {
          await calls.consume(key, estimate.total);
          for (const [name, estimated] of Object.entries(estimate.perDirectory)) {
            await directoryLimiter(ctx.directories.get(name))?.consume(key, estimated);
          }
        }
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
