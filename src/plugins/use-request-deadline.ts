import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';

/**
 * Stops a request's deadline timer as soon as its execution is done, so a busy server does not carry
 * one live timer per request it answered in the last `requestTimeoutMs`.
 */
export function useRequestDeadlineRelease(): Plugin<Context> {
  return {
    onExecute: () => ({
      onExecuteDone: ({ args }) => {
        args.contextValue.call.release?.();
      },
    }),
  };
}
