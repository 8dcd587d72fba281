import type { IncomingHttpHeaders } from 'node:http';
import { type Dispatcher, errors } from 'undici';
import { type ProviderErrorFacts, upstreamErrorFor } from '../codes/failure-codes.js';
import { CallContext, callKey } from '../directory/call-context.js';
import { BudgetExceededError, UpstreamError } from '../directory/failures.js';
import type { ProviderKind } from '../directory/model.js';
import type { CallOptions } from '../directory/port.js';
import { injectTraceHeaders, traceOf } from '../tracing/call-trace.js';
import { upstreamDispatcher } from './dispatcher.js';
import { exchange } from './exchange.js';

/**
 * What stands between a directory's calls and the network (its breaker, limiter and retries: see
 * src/resilience/guard.ts). `attempt` sends the call once; it resolves with an answer or rejects with
 * an UpstreamError, from whose kind the guard decides what to do next.
 */
/**
 * The GraphQL request's answers to GETs it already sent, by method, URL and headers: a request that
 * needs the same page twice (a merged listing, then an email scan over that same list) asks once.
 */
const RESPONSES = callKey<Map<string, Promise<HttpResponse>>>('responses');

/** Calls made with the context returned share their GETs' answers. */
export function withResponseMemo(context: CallContext | undefined): CallContext {
  return (context ?? CallContext.EMPTY).with(RESPONSES, new Map());
}

export interface CallGuard {
  run(
    call: HttpCall,
    options: CallOptions,
    attempt: (options: CallOptions) => Promise<HttpResponse>,
  ): Promise<HttpResponse>;
}

export interface HttpClientOptions {
  readonly provider: ProviderKind;
  /** The configured directory name, whose upstream-call budget each call takes from. */
  readonly directory: string;
  /** The provider's origin (and optional path prefix); documented paths are appended to it. */
  readonly baseUrl: string;
  /**
   * Bounds one upstream call, on top of the caller's own deadline: its headers must arrive within it,
   * and its body may not stall for longer. undici checks these on a ~0.5 s tick; the request
   * deadline, which matters to callers, is exact (its own timer and signal).
   */
  readonly timeoutMs: number;
  /** Keep-alive sockets to the origin: one per call the directory may have in flight. */
  readonly connections: number;
  /** Extra certificate authorities (PEM) trusted for this directory (config `tls.ca`). */
  readonly ca?: string;
  /** Offer HTTP/2 (ALPN) to the directory. */
  readonly http2?: boolean;
  /** The directory's breaker, limiter and retries; without one every call is sent once, as is. */
  readonly guard?: CallGuard;
}

export interface HttpCall {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The documented route with its parameters filled in, e.g. `/api/users/abc`. */
  readonly path: string;
  /** The documented route as a name for errors and logs, e.g. `GET /api/users/{id}`. */
  readonly operation: string;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly json?: unknown;
  /** Statuses besides 2xx that are answers rather than errors, such as 404 for a looked-up id. */
  readonly answers?: readonly number[];
  /** What the provider's error body says (its code, a safe detail), for the status rule. */
  readonly describeError?: (response: HttpResponse) => ProviderErrorFacts;
  /** A login or token refresh (counted apart in the metrics). */
  readonly token?: boolean;
  /**
   * A write (suspend, remove…): sent once, never retried by the guard, never kept in the memo. A write
   * that timed out may have been applied; the caller reads the account again to know.
   */
  readonly write?: true;
  /**
   * false: a GET not kept in the request's memo. A by-id read is sent once per request by its
   * DataLoader already; memoizing it as well only held every answer's body until the request ended,
   * hundreds of them in a large batch.
   */
  readonly memo?: false;
}

export interface HttpResponse {
  readonly status: number;
  readonly body: string;
  header(name: string): string | null;
}

/** An upstream answer; its header lookup a method rather than a closure per call. */
class Answer implements HttpResponse {
  constructor(
    readonly status: number,
    readonly body: string,
    private readonly headers: IncomingHttpHeaders,
  ) {}

  header(name: string): string | null {
    const value = this.headers[name.toLowerCase()];
    return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
  }
}

/**
 * One keep-alive connection pool per directory; every upstream call goes through `send`, which
 * resolves with a 2xx answer (or one the call lists in `answers`) and rejects with an UpstreamError
 * built by the status rule (src/errors.ts) for anything else.
 */
export class HttpClient {
  readonly provider: ProviderKind;
  private readonly directory: string;
  private readonly origin: string;
  /** The path prefix of `baseUrl` (often empty). */
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly dispatcher: Dispatcher;
  private readonly guard: CallGuard | undefined;

  constructor(options: HttpClientOptions) {
    this.provider = options.provider;
    this.directory = options.directory;
    this.guard = options.guard;
    const base = new URL(options.baseUrl);
    this.origin = base.origin;
    this.prefix = base.pathname.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs;
    // A socket per call in flight: a smaller pool would queue calls a second time, inside undici,
    // behind other requests' batches.
    this.dispatcher = upstreamDispatcher(this.origin, {
      connections: options.connections,
      ...(options.ca === undefined ? {} : { ca: options.ca }),
      ...(options.http2 === true ? { http2: true } : {}),
    });
  }

  send(call: HttpCall, options: CallOptions = {}): Promise<HttpResponse> {
    // A write makes what the request read before it stale: the reads after it go to the directory.
    if (call.write === true) options.context?.get(RESPONSES)?.clear();
    const memo = call.method === 'GET' && call.memo !== false ? options.context?.get(RESPONSES) : undefined;
    if (memo === undefined) return this.sendCounted(call, options);
    // Reads only, within one GraphQL request: the same GET (same credentials) is sent once.
    let key = `${this.origin}${this.path(call)}`;
    for (const name in call.headers) key += `\n${name}:${call.headers[name]}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const response = this.sendCounted(call, options);
    memo.set(key, response);
    return response;
  }

  /** Takes the call from the operation's budget (a memo hit takes nothing), or refuses it unsent. */
  private sendCounted(call: HttpCall, options: CallOptions): Promise<HttpResponse> {
    if (options.budget !== undefined && !options.budget.take(this.directory)) {
      return Promise.reject(new BudgetExceededError(this.directory));
    }
    return this.sendGuarded(call, options);
  }

  private sendGuarded(call: HttpCall, options: CallOptions): Promise<HttpResponse> {
    return this.guard
      ? this.guard.run(call, options, (attemptOptions) => this.sendOnce(call, attemptOptions))
      : this.sendOnce(call, options);
  }

  private async sendOnce(call: HttpCall, options: CallOptions): Promise<HttpResponse> {
    // The per-call bound is undici's own headers and body timeouts, and the caller's deadline its
    // signal as is: no AbortController, timer or listener of our own per call.
    const headers: Record<string, string> = { accept: 'application/json', ...call.headers };
    const callTrace = traceOf(options);
    if (callTrace !== undefined) injectTraceHeaders(callTrace, headers);
    let body: string | undefined;
    if (call.json !== undefined) {
      body = JSON.stringify(call.json);
      headers['content-type'] = 'application/json';
    }
    const signal = options.signal;
    let response: HttpResponse;
    try {
      const res = await exchange(
        this.dispatcher,
        {
          origin: this.origin,
          method: call.method,
          path: this.path(call),
          headers,
          body,
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
        },
        signal,
      );
      response = new Answer(res.status, res.body, res.headers);
    } catch (error) {
      if (error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError) {
        throw new UpstreamError({
          provider: this.provider,
          kind: 'timeout',
          operation: call.operation,
          detail: `no answer within ${this.timeoutMs} ms`,
        });
      }
      if (signal?.aborted) {
        throw new UpstreamError({
          provider: this.provider,
          kind: 'timeout',
          operation: call.operation,
          detail: 'request deadline passed',
          callerCaused: true,
        });
      }
      throw new UpstreamError({
        provider: this.provider,
        kind: 'unavailable',
        operation: call.operation,
        detail: (error as { code?: string }).code ?? 'connection failed',
      });
    }
    const { status } = response;
    if ((status >= 200 && status < 300) || call.answers?.includes(status)) return response;
    throw upstreamErrorFor(this.provider, call.operation, response, call.describeError?.(response));
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }

  private path(call: HttpCall): string {
    let url = this.prefix + call.path;
    if (call.query) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(call.query)) {
        if (value !== undefined) params.set(key, String(value));
      }
      const qs = params.toString();
      if (qs) url += `?${qs}`;
    }
    return url;
  }
}
