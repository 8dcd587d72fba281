import type { IncomingHttpHeaders } from 'node:http';
import { type Dispatcher, errors } from 'undici';

export interface Exchange {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * One request through undici's dispatcher, its whole body collected as a string. `request()` wraps
 * every response body in a Readable stream and reads it back through the stream machinery; a
 * provider answer is a few kilobytes of JSON wanted whole (BENCHMARKS.md, "Hand-tuned spots"). Rejects with undici's own errors (timeouts, resets) or,
 * when `signal` aborts, with an AbortError.
 */
export function exchange(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  signal: AbortSignal | undefined,
): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const call = new PendingExchange(resolve, reject, signal);
    if (signal?.aborted) {
      call.finish(new errors.RequestAbortedError());
      return;
    }
    signal?.addEventListener('abort', call.onAbort, { once: true });
    try {
      dispatcher.dispatch(options, call);
    } catch (error) {
      // A closed or destroyed pool refuses synchronously.
      call.finish(error as Error);
    }
  });
}

/**
 * One call in flight: undici's handler as one object with methods. The abort listener stays a
 * function: an object as an EventListener (`handleEvent`) takes Node's slow path for listener objects.
 */
class PendingExchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private settled = false;
  private status = 0;
  private headers: IncomingHttpHeaders = {};
  private readonly chunks: Buffer[] = [];

  constructor(
    private readonly resolve: (exchange: Exchange) => void,
    private readonly reject: (error: Error) => void,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /** The signal aborted. */
  readonly onAbort = (): void => {
    const error = new errors.RequestAbortedError();
    this.controller?.abort(error);
    this.finish(error);
  };

  finish(error: Error | null): void {
    if (this.settled) return;
    this.settled = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    if (error) {
      this.reject(error);
      return;
    }
    // Most answers arrive in one chunk: decode it as is, without copying it into a new buffer.
    const { chunks } = this;
    const body =
      chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8');
    this.resolve({ status: this.status, headers: this.headers, body });
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // Aborted while queued for a socket: never send it.
    if (this.settled) controller.abort(new errors.RequestAbortedError());
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    this.status = statusCode;
    this.headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    this.finish(null);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.finish(error);
  }
}
