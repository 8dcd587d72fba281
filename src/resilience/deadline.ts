import { setMaxListeners } from 'node:events';
import type { ProviderKind } from '../directory/model.js';
import type { CallOptions } from '../directory/port.js';
import { UpstreamError } from '../errors.js';

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** A request's deadline as calls take it, and `release` to stop its timer once the request is done. */
export interface RequestDeadline extends Required<Pick<CallOptions, 'signal' | 'deadline'>> {
  release(): void;
}

/**
 * A GraphQL request's deadline: its signal aborts when the client goes away or `timeoutMs` passes,
 * and `deadline` (epoch ms) lets retries and queues know how much time is left without waiting to
 * be aborted. One controller and one timer: AbortSignal.timeout and AbortSignal.any hold weak
 * references and finalizers that cost ~5% of a one-user query's CPU (BENCHMARKS.md).
 */
export function requestDeadline(timeoutMs: number, parent?: AbortSignal, now = Date.now()): RequestDeadline {
  const controller = new AbortController();
  const abort = () => controller.abort();
  const timer = setTimeout(abort, timeoutMs);
  // A request whose execution never ends its deadline (one that fails validation) must not keep the
  // process alive, nor the timer hold it back from exiting.
  timer.unref();
  if (parent?.aborted) controller.abort();
  else parent?.addEventListener('abort', abort, { once: true });
  const { signal } = controller;
  // Every upstream call in flight listens to it: dozens at once in a large batch are no leak.
  setMaxListeners(0, signal);
  return {
    signal,
    deadline: now + timeoutMs,
    release() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', abort);
    },
  };
}

export function deadlinePassed(provider: ProviderKind, operation: string, detail: string): UpstreamError {
  return new UpstreamError({ provider, kind: 'timeout', operation, detail });
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
