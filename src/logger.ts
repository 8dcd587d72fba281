import type { YogaLogger } from 'graphql-yoga';
import { DirectoryFailure } from './errors.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/**
 * Yoga's logger, concise: a directory failure is one line (directory, operation, kind, status; the
 * UpstreamError text carries no secrets), anything unexpected keeps its stack.
 */
export function createLogger(
  level: LogLevel = (process.env.LOG_LEVEL as LogLevel | undefined) ?? 'info',
): YogaLogger {
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
