import { type Context, defaultTextMapSetter, type Span, type Tracer, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * Where an upstream call sits in a trace: the tracer and the context of the span it belongs under
 * (the operation's, a batch's, an attempt's). Passed explicitly with the call, never through
 * AsyncLocalStorage: no context manager to install, and nothing to cost when tracing is off.
 */
export interface CallTrace {
  readonly tracer: Tracer;
  readonly context: Context;
}

const propagator = new W3CTraceContextPropagator();

/** The same tracer, under `span`. */
export function under(callTrace: CallTrace, span: Span): CallTrace {
  return { tracer: callTrace.tracer, context: trace.setSpan(callTrace.context, span) };
}

/** Adds W3C `traceparent` (and `tracestate`) for the call's span to an outgoing request's headers. */
export function injectTraceHeaders(callTrace: CallTrace, headers: Record<string, string>): void {
  propagator.inject(callTrace.context, headers, defaultTextMapSetter);
}
