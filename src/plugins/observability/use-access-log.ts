import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Principal } from '../../auth/principal.js';
import type { Context } from '../../graphql/context.js';
import { answered } from '../../graphql/graphql-errors.js';

/** What one request's access line is made of, filled in as the request goes. */
export interface AccessRecord {
  readonly started: number;
  readonly path: string;
  operation?: string | null;
  upstream?: ReadonlyMap<string, number>;
  codes?: readonly string[];
  traceId?: string;
}

export interface AccessContext {
  access?: AccessRecord;
  requestId?: string;
  principal?: Principal;
}

/** Probes and scrapes: written at `debug`, so a load balancer's health checks do not fill the log. */
const QUIET = new Set(['/health', '/readiness', '/metrics']);

/**
 * One access line per request (pino, JSON): request id, trace id, method, path, status, duration, the
 * principal (kind and subject: an API key's name or a token's `sub`, never a credential), the operation
 * name, upstream calls per directory and the error codes answered. Never a variable, a header value or
 * anything from a response body: those carry personal data.
 */
export function useAccessLog(log: Logger): Plugin<Context & AccessContext, AccessContext> {
  return {
    onRequest({ url, serverContext }) {
      serverContext.access = { started: performance.now(), path: bounded(url.pathname) ?? '' };
    },
    onValidate({ params, context }) {
      return ({ valid }) => {
        const access = (context as AccessContext).access;
        if (!valid && access !== undefined) {
          const given = (context as { params?: { operationName?: unknown } }).params?.operationName;
          const name = getOperationAST(params.documentAST, typeof given === 'string' ? given : null)?.name
            ?.value;
          access.operation = bounded(name);
        }
      };
    },
    onExecute({ args }) {
      return {
        onExecuteDone() {
          const ctx = args.contextValue;
          if (ctx.access === undefined) return;
          ctx.access.operation = bounded(getOperationAST(args.document, args.operationName)?.name?.value);
          const budget = ctx.call.budget;
          if (budget?.used !== undefined) ctx.access.upstream = budget.used;
        },
      };
    },
    onResultProcess({ result, serverContext }) {
      if (serverContext.access === undefined) return;
      const { codes } = answered(result);
      if (codes.length > 0) serverContext.access.codes = codes;
    },
    onResponse({ request, response, serverContext }) {
      const access = serverContext.access;
      if (access === undefined) return;
      const { path } = access;
      const level = QUIET.has(path) ? 'debug' : response.status >= 500 ? 'warn' : 'info';
      if (!log.isLevelEnabled(level)) return;
      // One object, filled in place: this runs for every request.
      const line: Record<string, unknown> = {
        log: 'access',
        requestId: serverContext.requestId,
        method: request.method,
        path,
        status: response.status,
        durationMs: Math.round((performance.now() - access.started) * 100) / 100,
      };
      if (access.traceId !== undefined) line.traceId = access.traceId;
      const principal = serverContext.principal;
      if (principal !== undefined) line.principal = `${principal.kind}:${principal.subject}`;
      if (access.operation !== undefined) line.operation = access.operation;
      if (access.upstream !== undefined) line.upstream = Object.fromEntries(access.upstream);
      if (access.codes !== undefined) line.errors = access.codes;
      log[level](line, 'request');
    },
  };
}

/** Names come from the caller's document: a log line takes the first 128 characters. */
function bounded(name: unknown): string | null {
  if (typeof name !== 'string') return null;
  return name.length > 128 ? `${name.slice(0, 128)}…` : name;
}
