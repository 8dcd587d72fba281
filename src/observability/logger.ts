import type { YogaLogger } from 'graphql-yoga';
import pino, { type Logger } from 'pino';
import { DirectoryFailure } from '../codes/failure-codes.js';
import { BudgetExceededError, ScanBudgetExhaustedError, UpstreamError } from '../directory/failures.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Identical messages within this window are written once, then counted. */
const REPEAT_WINDOW_MS = 1_000;

/**
 * The process's log (pino): one JSON object per line with `time`, `level` and, per request, `requestId`
 * (and `traceId` when tracing is on); human-readable in demo mode. Where it goes is the caller's:
 * standard output by default, or any writable (tests).
 */
export function createLog(
  options: { readonly level?: LogLevel; readonly destination?: NodeJS.WritableStream } = {},
): Logger {
  const settings = { level: options.level ?? 'info', base: { service: 'usergraph' } };
  return options.destination === undefined ? pino(settings) : pino(settings, options.destination);
}

/**
 * Human-readable lines on standard output (demo mode). pino-pretty is the demo kit's, not the server's
 * (an optional dependency): loaded only here.
 */
export async function prettyDestination(): Promise<NodeJS.WritableStream> {
  const { default: pretty } = await import('pino-pretty');
  return pretty({ ignore: 'pid,hostname,service', sync: true });
}

/**
 * Yoga's logger on top of the log: a directory failure is one line (directory, provider, route, kind,
 * status, provider code; never the upstream's text, which may quote request data); anything
 * unexpected keeps its stack. A batch that fails for every id writes its line once, with how many
 * more followed.
 */
export function yogaLogger(log: Logger): YogaLogger {
  let last: { line: string; at: number; repeats: number; level: 'debug' | 'info' | 'warn' | 'error' } | null =
    null;
  const write = (level: 'debug' | 'info' | 'warn' | 'error', args: unknown[]) => {
    if (!log.isLevelEnabled(level)) return;
    const [first, ...rest] = args.map(format);
    if (typeof first === 'string' && rest.length === 0) {
      const now = Date.now();
      if (last !== null && last.line === first && now - last.at < REPEAT_WINDOW_MS) {
        last.repeats += 1;
        return;
      }
      if (last !== null && last.repeats > 0)
        log[last.level]({ repeats: last.repeats }, `(${last.repeats} more like: ${last.line})`);
      last = { line: first, at: now, repeats: 0, level };
      log[level](first);
      return;
    }
    if (first instanceof Error) log[level]({ err: first }, first.message);
    else log[level]({ details: rest }, typeof first === 'string' ? first : String(first));
  };
  return {
    debug: (...args) => write('debug', args),
    info: (...args) => write('info', args),
    warn: (...args) => write('warn', args),
    error: (...args) => write('error', args),
  };
}

/** For tests and tools that want Yoga's logger at a level without a log of their own. */
export function createLogger(level: LogLevel = 'info', destination?: NodeJS.WritableStream): YogaLogger {
  return yogaLogger(createLog({ level, destination }));
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
