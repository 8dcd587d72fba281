import type { YogaLogger } from 'graphql-yoga';
import { BudgetExceededError, ScanBudgetExhaustedError, UpstreamError } from './directory/failures.js';
import { DirectoryFailure } from './errors.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
const ORDER: readonly LogLevel[] = LOG_LEVELS;

/** Identical lines within this window are written once, then counted. */
const REPEAT_WINDOW_MS = 1_000;

/**
 * Yoga's logger, concise: a directory failure is one line (directory, provider, route, kind, status,
 * provider code: never the upstream's text, which may quote request data), anything unexpected keeps
 * its stack. A batch that fails for every id writes its line once, with how many more followed.
 */
export function createLogger(level: LogLevel = 'info'): YogaLogger {
  const at = ORDER.indexOf(ORDER.includes(level) ? level : 'info');
  const enabled = (candidate: LogLevel) => ORDER.indexOf(candidate) >= at;
  let last: { line: string; at: number; repeats: number } | null = null;
  const write = (print: (...args: unknown[]) => void, args: unknown[]) => {
    const formatted = args.map(format);
    if (formatted.length === 1 && typeof formatted[0] === 'string') {
      const line = formatted[0];
      const now = Date.now();
      if (last !== null && last.line === line && now - last.at < REPEAT_WINDOW_MS) {
        last.repeats += 1;
        return;
      }
      if (last !== null && last.repeats > 0) print(`(${last.repeats} more like: ${last.line})`);
      last = { line, at: now, repeats: 0 };
    }
    print(...formatted);
  };
  return {
    debug: (...args) => enabled('debug') && write(console.debug, args),
    info: (...args) => enabled('info') && write(console.info, args),
    warn: (...args) => enabled('warn') && write(console.warn, args),
    error: (...args) => enabled('error') && write(console.error, args),
  };
}

function format(arg: unknown): unknown {
  const failure =
    arg instanceof DirectoryFailure
      ? arg
      : (arg as { originalError?: unknown } | null)?.originalError instanceof DirectoryFailure
        ? ((arg as { originalError: DirectoryFailure }).originalError as DirectoryFailure)
        : null;
  if (failure === null) return arg;
  const cause = failure.cause;
  if (cause instanceof ScanBudgetExhaustedError || cause instanceof BudgetExceededError) return cause.message;
  // Anything else may carry text from anywhere: its kind only.
  if (!(cause instanceof UpstreamError)) return `directory "${failure.directory}": ${cause.name}`;
  const status = cause.status === null ? '' : ` (HTTP ${cause.status})`;
  const code = cause.providerCode === null ? '' : `: ${cause.providerCode}`;
  return `directory "${failure.directory}": ${cause.provider} ${cause.operation}: ${cause.kind}${status}${code}`;
}
