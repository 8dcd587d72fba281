import { setMaxListeners } from 'node:events';
import { CallContext, callKey } from '../directory/call-context.js';
import { UpstreamError } from '../directory/failures.js';
import type { ProviderKind } from '../directory/model.js';
import type { CallOptions } from '../directory/port.js';

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** A request's deadline as calls take it, and `release` to stop its timer once the request is done. */
export interface RequestDeadline {
  readonly signal: AbortSignal;
  /** Epoch ms, so retries and queues know how much time is left without waiting to be aborted. */
  readonly deadline: number;
  release(): void;
}

const DEADLINE = callKey<number>('deadline');

/** The call's deadline (epoch ms), when its caller gave one. */
export function deadlineOf(options: CallOptions): number | undefined {
  return options.context?.get(DEADLINE);
}

/** Calls made with the context returned know their deadline. */
export function withDeadline(context: CallContext | undefined, deadline: number): CallContext {
  return (context ?? CallContext.EMPTY).with(DEADLINE, deadline);
}

/** Options for a call of our own (a probe, a check) that ends after `timeoutMs`. */
export function timedCall(timeoutMs: number, context?: CallContext): CallOptions {
  return {
    signal: AbortSignal.timeout(timeoutMs),
    context: withDeadline(context, Date.now() + timeoutMs),
  };
}

/**
 * What tells that the client went away: a Node response (its `close` before the answer is written),
 * or, without one (`app.fetch`), the fetch request's signal.
 */
export type ClientLink = AbortSignal | ClosingResponse;

/** The part of node:http's ServerResponse the deadline needs. */
export interface ClosingResponse {
  once(event: 'close', listener: () => void): unknown;
  removeListener(event: 'close', listener: () => void): unknown;
  readonly destroyed: boolean;
}

/**
 * A GraphQL request's deadline: its signal aborts when the client goes away or `timeoutMs` passes,
 * and `deadline` (epoch ms) lets retries and queues know how much time is left without waiting to
 * be aborted. One controller and one timer, not AbortSignal.timeout and AbortSignal.any, which hold
 * weak references and finalizers; with Node's response at hand it listens to that, not to the fetch
 * adapter's request signal, a proxied EventTarget slow to read (BENCHMARKS.md, "Hand-tuned spots").
 */
export function requestDeadline(timeoutMs: number, client?: ClientLink, now = Date.now()): RequestDeadline {
  const controller = new AbortController();
  const abort = () => controller.abort();
  const timer = setTimeout(abort, timeoutMs);
  // A request whose execution never ends its deadline (one that fails validation) must not keep the
  // process alive, nor the timer hold it back from exiting.
  timer.unref();
  const stopFollowing = follow(client, abort);
  const { signal } = controller;
  // Every upstream call in flight listens to it: dozens at once in a large batch are no leak.
  setMaxListeners(0, signal);
  return {
    signal,
    deadline: now + timeoutMs,
    release() {
      clearTimeout(timer);
      stopFollowing();
    },
  };
}

/** Calls `abort` once the client goes away (at once if it already has); returns how to stop. */
function follow(client: ClientLink | undefined, abort: () => void): () => void {
  if (client === undefined) return () => {};
  if (client instanceof AbortSignal) {
    if (client.aborted) abort();
    else client.addEventListener('abort', abort, { once: true });
    return () => client.removeEventListener('abort', abort);
  }
  if (client.destroyed) abort();
  else client.once('close', abort);
  return () => client.removeListener('close', abort);
}

/** The caller's deadline passed (or its client went away) before a call could be sent or answered. */
export function deadlinePassed(provider: ProviderKind, operation: string, detail: string): UpstreamError {
  return new UpstreamError({ provider, kind: 'timeout', operation, detail, callerCaused: true });
}

/** Resolves after `ms`, or rejects with `onAbort()` as soon as `signal` aborts. */
export function delay(ms: number, signal: AbortSignal | undefined, onAbort: () => Error): Promise<void> {
  if (signal?.aborted) return Promise.reject(onAbort());
  return new Promise((resolve, reject) => {
    const abort = () => {
      clearTimeout(timer);
      reject(onAbort());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', abort, { once: true });
  });
}
