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
 * provider answer is a few kilobytes of JSON wanted whole, and that wrapping was a large part of
 * undici's cost per call (BENCHMARKS.md). Rejects with undici's own errors (timeouts, resets) or,
 * when `signal` aborts, with an AbortError.
 */
export function exchange(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  signal: AbortSignal | undefined,
): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    let controller: Dispatcher.DispatchController | undefined;
    let settled = false;
    let status = 0;
    let headers: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];

    const onAbort = () => {
      const error = new errors.RequestAbortedError();
      controller?.abort(error);
      finish(error);
    };
    const finish = (error: Error | null) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else {
        // Most answers arrive in one chunk: decode it as is, without copying it into a new buffer.
        const body =
          chunks.length === 1
            ? (chunks[0] as Buffer).toString('utf8')
            : Buffer.concat(chunks).toString('utf8');
        resolve({ status, headers, body });
      }
    };

    if (signal?.aborted) {
      finish(new errors.RequestAbortedError());
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      dispatch();
    } catch (error) {
      // A closed or destroyed pool refuses synchronously.
      finish(error as Error);
    }

    function dispatch() {
      dispatcher.dispatch(options, {
        onRequestStart(started) {
          controller = started;
          // Aborted while queued for a socket: never send it.
          if (settled) started.abort(new errors.RequestAbortedError());
        },
        onResponseStart(_controller, statusCode, responseHeaders) {
          status = statusCode;
          headers = responseHeaders;
        },
        onResponseData(_controller, chunk) {
          chunks.push(chunk);
        },
        onResponseEnd() {
          finish(null);
        },
        onResponseError(_controller, error) {
          finish(error);
        },
      });
    }
  });
}
