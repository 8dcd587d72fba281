import {
  type Context,
  defaultTextMapSetter,
  type Span,
  type SpanOptions,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { CallContext, callKey } from '../directory/call-context.js';
import type { CallOptions } from '../directory/port.js';

/**
 * Where an upstream call sits in a trace: the tracer and the context of the span it belongs under
 * (the operation's, a batch's, an attempt's). Passed explicitly with the call (CallContext), never
 * through AsyncLocalStorage: no context manager to install, and nothing to cost when tracing is off.
 */
export interface CallTrace {
  readonly tracer: Tracer;
  readonly context: Context;
}

/** A renewal shared by many callers still belongs in the trace of the call that started it. */
const TRACE = callKey<CallTrace>('trace', true);

const propagator = new W3CTraceContextPropagator();

/** The span a call belongs under, when tracing is on. */
export function traceOf(options: CallOptions | undefined): CallTrace | undefined {
  return options?.context?.get(TRACE);
}

/** Calls made with the context returned belong under `callTrace`. */
export function withTrace(context: CallContext | undefined, callTrace: CallTrace): CallContext {
  return (context ?? CallContext.EMPTY).with(TRACE, callTrace);
}

/** A span under the call's, and the call options whose trace is that span (for the calls made in it). */
export function startChildSpan<O extends CallOptions>(
  callTrace: CallTrace,
  name: string,
  spanOptions: SpanOptions,
  options: O,
): { readonly span: Span; readonly options: O } {
  const span = callTrace.tracer.startSpan(name, spanOptions, callTrace.context);
  const child = { tracer: callTrace.tracer, context: trace.setSpan(callTrace.context, span) };
  return { span, options: { ...options, context: withTrace(options.context, child) } };
}

/** Adds W3C `traceparent` (and `tracestate`) for the call's span to an outgoing request's headers. */
export function injectTraceHeaders(callTrace: CallTrace, headers: Record<string, string>): void {
  propagator.inject(callTrace.context, headers, defaultTextMapSetter);
}
