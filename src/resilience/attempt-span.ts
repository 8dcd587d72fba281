import { type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { UpstreamError } from '../directory/failures.js';
import type { CallOptions, CircuitState } from '../directory/port.js';
import type { HttpCall } from '../http/client.js';
import { type CallTrace, startChildSpan } from '../tracing/call-trace.js';
import type { AttemptOutcome } from './observer.js';

/** What the guard knows about an attempt as it sends it. */
export interface AttemptFacts {
  readonly directory: string;
  readonly provider: string;
  readonly number: number;
  /** How long the guard waited before this attempt (backoff or Retry-After), 0 for the first. */
  readonly retryWaitMs: number;
  readonly queueWaitMs: number;
  readonly circuit: CircuitState;
  readonly deadlineLeftMs: number;
}

/**
 * One CLIENT span per upstream attempt, named by its method and route template (`GET /api/users/{id}`):
 * never a filled-in path, query or body, which carry ids and emails. Returns the span and the call options the
 * attempt is sent with, whose trace is the span's (so `traceparent` names this attempt).
 */
export function startAttemptSpan(
  callTrace: CallTrace,
  call: HttpCall,
  options: CallOptions,
  facts: AttemptFacts,
): { readonly span: Span; readonly options: CallOptions } {
  const started = startChildSpan(
    callTrace,
    call.operation,
    {
      kind: SpanKind.CLIENT,
      // The name is the route template with its method (OpenTelemetry's `{method} {url.template}`):
      // not repeated as attributes, as every attribute is paid for per span.
      attributes: {
        'usergraph.directory': facts.directory,
        'usergraph.provider': facts.provider,
        'usergraph.attempt': facts.number,
        'usergraph.circuit_state': facts.circuit,
        'usergraph.deadline_left_ms': facts.deadlineLeftMs,
      },
    },
    options,
  );
  const { span } = started;
  // Only what differs from the usual first attempt: every attribute is paid for per span, three times
  // (kept, converted, sent), and these spans are most of a trace.
  if (facts.number > 1) {
    span.setAttribute('http.request.resend_count', facts.number - 1);
    span.setAttribute('usergraph.retry_wait_ms', facts.retryWaitMs);
  }
  if (facts.queueWaitMs >= 1) span.setAttribute('usergraph.queue_wait_ms', Math.round(facts.queueWaitMs));
  if (call.token === true) span.setAttribute('usergraph.token', true);
  return started;
}

/** Ends an attempt's span with its outcome: the status and class, and for a failure its kind (never its text). */
export function endAttemptSpan(
  span: Span,
  outcome: AttemptOutcome,
  status: number | null,
  failure: UpstreamError | null,
): void {
  // The status says it when there is one; otherwise how the attempt ended (timeout, network, aborted).
  if (status !== null) span.setAttribute('http.response.status_code', status);
  else span.setAttribute('usergraph.outcome', outcome);
  if (failure !== null) {
    span.setAttribute('error.type', failure.kind);
    if (failure.providerCode !== null) span.setAttribute('usergraph.provider_code', failure.providerCode);
    span.setStatus({ code: SpanStatusCode.ERROR, message: failure.kind });
  }
  span.end();
}

/** A call the breaker refused, as an event on the span it belonged under. */
export function noteCircuitOpen(callTrace: CallTrace, route: string): void {
  trace.getSpan(callTrace.context)?.addEvent('circuit open: call not sent', { 'usergraph.route': route });
}
