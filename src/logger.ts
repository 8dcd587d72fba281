import type { YogaLogger } from 'graphql-yoga';
import { DirectoryFailure } from './errors.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
const ORDER: readonly LogLevel[] = LOG_LEVELS;

/**
 * Yoga's logger, concise: a directory failure is one line (directory, operation, kind, status; the
 * UpstreamError text carries no secrets), anything unexpected keeps its stack.
 */
export function createLogger(level: LogLevel = 'info'): YogaLogger {
  const at = ORDER.indexOf(ORDER.includes(level) ? level : 'info');
  const enabled = (candidate: LogLevel) => ORDER.indexOf(candidate) >= at;
  const format = (args: unknown[]) =>
    args.map((arg) => {
      if (arg instanceof DirectoryFailure) return arg.message;
      const original = (arg as { originalError?: unknown } | null)?.originalError;
      return original instanceof DirectoryFailure ? original.message : arg;
    });
  return {
    debug: (...args) => enabled('debug') && console.debug(...format(args)),
    info: (...args) => enabled('info') && console.info(...format(args)),
    warn: (...args) => enabled('warn') && console.warn(...format(args)),
    error: (...args) => enabled('error') && console.error(...format(args)),
  };
}
