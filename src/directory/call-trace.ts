import {
  type Context,
  defaultTextMapSetter,
  type Span,
  type SpanOptions,
  type Tracer,
  trace,
} from '@opentelemetry/api';
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

/** A span under the call's, and the call options whose trace is that span (for the calls made in it). */
export function startChildSpan<O extends { readonly trace?: CallTrace }>(
  callTrace: CallTrace,
  name: string,
  spanOptions: SpanOptions,
  options: O,
): { readonly span: Span; readonly options: O } {
  const span = callTrace.tracer.startSpan(name, spanOptions, callTrace.context);
  return { span, options: { ...options, trace: under(callTrace, span) } };
}

/** Adds W3C `traceparent` (and `tracestate`) for the call's span to an outgoing request's headers. */
export function injectTraceHeaders(callTrace: CallTrace, headers: Record<string, string>): void {
  propagator.inject(callTrace.context, headers, defaultTextMapSetter);
}
