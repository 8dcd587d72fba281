import type { Plugin } from 'graphql-yoga';
import type { Context } from '../../graphql/context.js';
import { type ClosingResponse, type RequestDeadline, requestDeadline } from '../../resilience/deadline.js';

export interface DeadlineContext {
  readonly res?: ClosingResponse;
  deadline?: RequestDeadline;
}

/**
 * A GraphQL request's deadline (resilience/deadline.ts), started when the request arrives, so reading a
 * slow body counts against it too; the context hands it to every upstream call. Its timer stops as soon
 * as execution is done (a busy server must not carry a live timer per request answered in the last
 * `requestTimeoutMs`), or when the response goes out for requests that never executed.
 */
export function useRequestDeadline(timeoutMs: number): Plugin<Context, DeadlineContext> {
  return {
    onRequest({ request, serverContext }) {
      serverContext.deadline = requestDeadline(timeoutMs, serverContext.res ?? request.signal);
    },
    onExecute: () => ({
      onExecuteDone: ({ args }) => {
        args.contextValue.call.release?.();
      },
    }),
    onResponse({ serverContext }) {
      serverContext.deadline?.release();
    },
  };
}
