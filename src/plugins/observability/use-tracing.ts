import { ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { CallContext } from '../../directory/call-context.js';
import type { Context } from '../../graphql/context.js';
import { answered } from '../../graphql/graphql-errors.js';
import { withTrace } from '../../tracing/call-trace.js';
import type { AccessRecord } from './use-access-log.js';

export interface TracingContext {
  calls?: CallContext;
  span?: Span;
  access?: AccessRecord;
  requestId?: string;
}

const propagator = new W3CTraceContextPropagator();

/** Probes and scrapes: a span per health check every second would bury the traces that matter. */
const UNTRACED = new Set(['/health', '/readiness', '/metrics']);

/**
 * A SERVER span per GraphQL request, in the caller's trace when it sends W3C `traceparent` (an
 * Apollo Router or Hive Gateway in front does), else a new one. Its context goes to every upstream call
 * (batch and attempt spans are its children) and its trace id into the access line. Named by the
 * operation (`query PersonCard`), with its type and name, the request id and the error codes; never the
 * document or variables, which may hold emails.
 */
export function useTracing(tracer: Tracer): Plugin<Context & TracingContext, TracingContext> {
  return {
    onRequest({ request, url, serverContext }) {
      if (UNTRACED.has(url.pathname)) return;
      const headers = request.headers;
      const parent = propagator.extract(ROOT_CONTEXT, headers, headersGetter);
      // Named `POST /graphql` until the operation is known (then `query PersonCard`).
      const span = tracer.startSpan(`${request.method} ${url.pathname}`, { kind: SpanKind.SERVER }, parent);
      if (serverContext.requestId !== undefined)
        span.setAttribute('usergraph.request_id', serverContext.requestId);
      serverContext.span = span;
      serverContext.calls = withTrace(serverContext.calls, { tracer, context: trace.setSpan(parent, span) });
      if (serverContext.access !== undefined) serverContext.access.traceId = span.spanContext().traceId;
    },
    onExecute({ args }) {
      const span = args.contextValue.span;
      if (span === undefined) return;
      const operation = getOperationAST(args.document, args.operationName);
      const type = operation?.operation ?? 'query';
      const name = operation?.name?.value;
      span.updateName(name === undefined ? type : `${type} ${name.slice(0, 128)}`);
      span.setAttribute('graphql.operation.type', type);
      if (name !== undefined) span.setAttribute('graphql.operation.name', name.slice(0, 128));
    },
    onResultProcess({ result, serverContext }) {
      const span = serverContext.span;
      if (span === undefined) return;
      const { codes, data } = answered(result);
      if (codes.length > 0) {
        span.setAttribute('usergraph.error_codes', [...codes]);
        if (!data) span.setStatus({ code: SpanStatusCode.ERROR, message: codes.join(',') });
      }
    },
    onResponse({ response, serverContext }) {
      const span = serverContext.span;
      if (span === undefined) return;
      span.setAttribute('http.response.status_code', response.status);
      if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
  };
}

/** `traceparent` and `tracestate` from the fetch Headers Yoga hands over. */
const headersGetter = {
  get: (carrier: Headers, key: string) => carrier.get(key) ?? undefined,
  keys: (carrier: Headers) => [...carrier.keys()],
};
