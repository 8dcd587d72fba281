import { type DocumentNode, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { CODE } from '../../codes/public-codes.js';
import type { LimitSettings } from '../../cost/limits.js';
import type { DirectoryProvider } from '../../directory/port.js';
import type { Context } from '../../graphql/context.js';
import { publicError } from '../../graphql/graphql-errors.js';
import { PrincipalQuotas, type Quota, type QuotaTake } from '../../shared/principal-quota.js';

/**
 * What one principal may do per minute, across every replica when they share Redis (shared/
 * principal-quota.ts): operations (bursts of a tenth of a minute's worth), and the upstream calls their
 * estimates add up to (so a caller cannot wear a directory down with many cheap-looking operations
 * either; an estimate may take up to a minute's worth at once); and of a directory whose outbound rate
 * is bounded (a quota), at most `directoryShare` of a minute of it; and mutations, `writesPerMinute`.
 * Taken together, all or none (one Redis round trip per operation): past any, RATE_LIMITED with
 * `retryAfter` seconds until every one has room (HTTP 429, Retry-After), and none is spent. Runs after
 * the estimate (use-upstream-budget.ts), before any upstream call.
 */
export function useRateLimit(
  limits: LimitSettings['perPrincipal'],
  quotas: PrincipalQuotas,
): Plugin<Context> {
  const operations: Quota = {
    perMinute: limits.operationsPerMinute,
    burst: Math.max(1, Math.ceil(limits.operationsPerMinute / 10)),
  };
  const calls: Quota = { perMinute: limits.upstreamCallsPerMinute, burst: limits.upstreamCallsPerMinute };
  const writes: Quota = {
    perMinute: limits.writesPerMinute,
    burst: Math.max(1, Math.ceil(limits.writesPerMinute / 6)),
  };
  // Per directory whose outbound rate is bounded below the principal's own cap: its share of it.
  const perDirectory = new Map<string, Quota | null>();
  const directoryQuota = (directory: DirectoryProvider | undefined): Quota | null => {
    if (directory === undefined) return null;
    let quota = perDirectory.get(directory.name);
    if (quota === undefined) {
      const ceiling = directory.health?.().rate?.ceiling;
      const perMinute =
        ceiling === undefined ? null : Math.max(1, Math.floor(ceiling * 60 * limits.directoryShare));
      quota =
        perMinute === null || perMinute >= limits.upstreamCallsPerMinute
          ? null
          : { perMinute, burst: perMinute };
      perDirectory.set(directory.name, quota);
    }
    return quota;
  };
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const ctx = args.contextValue;
      const key = PrincipalQuotas.keyOf(`${ctx.principal.kind}:${ctx.principal.subject}`);
      // Every quota the operation spends, taken at once (one Redis round trip), all or none.
      const takes: QuotaTake[] = [{ name: 'operations', quota: operations, cost: 1 }];
      // Writes have a quota of their own: reads never use it up, and a caller's writes are few.
      if (isMutation(args.document, args.operationName))
        takes.push({ name: 'writes', quota: writes, cost: 1 });
      const estimate = ctx.cost.estimate;
      if (estimate !== undefined && estimate.total > 0) {
        takes.push({ name: 'calls', quota: calls, cost: estimate.total });
        for (const [name, estimated] of Object.entries(estimate.perDirectory)) {
          const quota = directoryQuota(ctx.directories.get(name));
          if (quota !== null) takes.push({ name: `directory:${name}`, quota, cost: estimated });
        }
      }
      const verdict = await quotas.take(key, takes);
      if (verdict.granted) return;
      const retryAfter = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
      setResultAndStopExecution({
        errors: [
          publicError(
            CODE.RATE_LIMITED,
            `Too many operations or upstream calls for this caller; try again in ${retryAfter} s.`,
            { retryAfter, http: { status: 429, headers: { 'retry-after': String(retryAfter) } } },
          ),
        ],
      });
    },
  };
}

function isMutation(document: DocumentNode, operationName: string | null | undefined): boolean {
  return getOperationAST(document, operationName)?.operation === 'mutation';
}
