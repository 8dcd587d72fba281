import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createSecureServer } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ProviderKind } from '../directory/model.js';

// A small HTTP server that each provider simulator is built on: routing, auth hook, latency, fault
// injection, and a request log that tests read to count upstream calls.

export interface SimRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON body, or undefined when there was none or it was not JSON. */
  readonly body: unknown;
  readonly rawBody: string;
  readonly params: Readonly<Record<string, string>>;
}

export interface SimResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Serialised as JSON unless `raw` is given. */
  readonly body?: unknown;
  readonly raw?: string;
}

export interface Route {
  /** Stable name used by the request log, counters and fault rules, e.g. `getUser`. */
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path with `:param` segments, e.g. `/api/users/:id`. */
  readonly pattern: string;
  /** Public routes skip `authenticate` (App Services login). */
  readonly public?: boolean;
  handle(req: SimRequest): SimResponse | Promise<SimResponse>;
}

export interface SimulatorDefinition {
  readonly provider: ProviderKind;
  readonly routes: readonly Route[];
  /** Returns the provider's 401/403 response when the credentials are wrong, or null to let the request through. */
  authenticate(req: SimRequest): SimResponse | null;
  /** The provider's own error response for a status (used for unknown routes and injected faults). */
  errorResponse(status: number, message: string): SimResponse;
}

export type Fault =
  /** The status with the provider's error body (or the given body). */
  | { readonly type: 'status'; readonly status: number; readonly body?: unknown }
  /** 429 with `Retry-After` (delay-seconds or an HTTP date) and the provider's error body. */
  | { readonly type: 'rate-limit'; readonly retryAfter?: string }
  /** 200 with a truncated JSON body. */
  | { readonly type: 'malformed' }
  /** Never answers; the socket stays open until the client gives up or the simulator closes. */
  | { readonly type: 'hang' }
  /** Destroys the socket without a response. */
  | { readonly type: 'reset' }
  /** The request is handled (a write takes effect), then no answer comes: a timeout after the fact. */
  | { readonly type: 'applied-then-hang' }
  /** The request is handled (a write takes effect), then answered with this status and an error body. */
  | { readonly type: 'applied-then-status'; readonly status: number };

export interface FaultRule {
  /** Route name; omitted means every route. */
  readonly route?: string;
  readonly fault: Fault;
  /** How many requests it hits before it expires; omitted means until cleared. */
  readonly times?: number;
  /** Chance (0–1) that a matching request is hit, drawn from the simulator's seeded generator. */
  readonly probability?: number;
}

export interface RequestLogEntry {
  readonly route: string;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly body: unknown;
  readonly headers: IncomingHttpHeaders;
  readonly status: number;
  readonly at: number;
}

/** HTTPS for a simulator: its key and certificate (test-ca.ts), and whether to offer HTTP/2 too. */
export interface SimulatorTls {
  readonly key: string;
  readonly cert: string;
  readonly http2?: boolean;
}

export interface SimulatorOptions {
  /** Added before every response, in ms. */
  readonly latencyMs?: number;
  /** Seed for probabilistic faults. */
  readonly seed?: number;
}

interface CompiledRoute {
  readonly route: Route;
  readonly regex: RegExp;
  readonly keys: readonly string[];
}

interface ActiveRule {
  readonly rule: FaultRule;
  remaining: number;
}

export class Simulator {
  readonly provider: ProviderKind;
  latencyMs: number;
  /**
   * The provider's own rate limit, off by default. `bucket` (the default): a token bucket per
   * credential of `perSecond` holding `burst` (default one second's worth), as ZITADEL Cloud documents
   * and as the others may enforce; an empty bucket answers 429 with `Retry-After` (the seconds until a
   * token, rounded up, unless `retryAfter` fixes it). `window`: past `perSecond` requests in any sliding
   * second, 429.
   */
  quota: {
    readonly perSecond: number;
    readonly burst?: number;
    readonly retryAfter?: string;
    readonly mode?: 'bucket' | 'window';
  } | null = null;
  readonly log: RequestLogEntry[] = [];
  private readonly arrivals: number[] = [];
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly definition: SimulatorDefinition;
  private readonly routes: readonly CompiledRoute[];
  private server: Server;
  private readonly faults: ActiveRule[] = [];
  private readonly inFlight = new Map<string, number>();
  private readonly peak = new Map<string, number>();
  private random: () => number;
  private readonly seed: number;
  private origin: string | null = null;

  constructor(definition: SimulatorDefinition, options: SimulatorOptions = {}) {
    this.definition = definition;
    this.provider = definition.provider;
    this.latencyMs = options.latencyMs ?? 0;
    this.seed = options.seed ?? 1;
    this.random = mulberry32(this.seed);
    this.routes = definition.routes.map(compile);
    this.server = createServer(this.serve);
    this.server.keepAliveTimeout = 60_000;
  }

  /** Requests that came over HTTP/2 (tests: whether a client negotiated it). */
  http2Requests = 0;

  private readonly serve = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.httpVersionMajor === 2) this.http2Requests += 1;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void this.handle(
        req.method ?? 'GET',
        req.url ?? '/',
        req.headers,
        Buffer.concat(chunks).toString('utf8'),
        res,
      );
    });
  };

  /**
   * Starts listening (port 0 picks a free port) and returns the origin, e.g. `http://127.0.0.1:41234`;
   * with `tls`, HTTPS as the real directories serve it (`https://…`; test-ca.ts makes the certificate).
   */
  async listen(port = 0, host = '127.0.0.1', tls?: SimulatorTls): Promise<string> {
    if (tls?.http2 === true) {
      // HTTP/2 offered by ALPN, HTTP/1.1 still served (as most HTTPS front ends do).
      const secure = createSecureServer({ key: tls.key, cert: tls.cert, allowHTTP1: true }, (req, res) =>
        this.serve(req as unknown as IncomingMessage, res as unknown as ServerResponse),
      );
      this.server = secure as unknown as Server;
    } else if (tls !== undefined) {
      this.server = createHttpsServer({ key: tls.key, cert: tls.cert }, this.serve);
      this.server.keepAliveTimeout = 60_000;
    }
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    const address = this.server.address() as AddressInfo;
    this.origin = `${tls === undefined ? 'http' : 'https'}://${host}:${address.port}`;
    return this.origin;
  }

  get url(): string {
    if (this.origin === null) throw new Error(`${this.provider} simulator is not listening`);
    return this.origin;
  }

  async close(): Promise<void> {
    // An HTTP/2 server has no closeAllConnections; its sessions end with close().
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  inject(rule: FaultRule): void {
    this.faults.push({ rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Requests received, optionally for one route name. */
  count(route?: string): number {
    return route === undefined ? this.log.length : this.log.filter((entry) => entry.route === route).length;
  }

  /** The most requests to a route (or to all routes) that were in flight at once since the last reset. */
  maxInFlight(route = '*'): number {
    return this.peak.get(route) ?? 0;
  }

  /** Clears the log, the peaks and the faults, and reseeds the fault generator. */
  reset(): void {
    this.log.length = 0;
    this.buckets.clear();
    this.arrivals.length = 0;
    this.peak.clear();
    this.clearFaults();
    this.random = mulberry32(this.seed);
  }

  private async handle(
    method: string,
    url: string,
    headers: IncomingHttpHeaders,
    rawBody: string,
    res: ServerResponse,
  ): Promise<void> {
    const parsed = new URL(url, 'http://simulator');
    const match = this.match(method, parsed.pathname);
    const routeName = match?.route.name ?? 'unknown';
    let body: unknown;
    if (rawBody) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = undefined;
      }
    }
    const req: SimRequest = {
      method,
      path: parsed.pathname,
      query: parsed.searchParams,
      headers,
      body,
      rawBody,
      params: match?.params ?? {},
    };
    this.enter(routeName);
    try {
      const overQuota = this.overQuota(req);
      if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
      const fault: Fault | null =
        overQuota !== null ? { type: 'rate-limit', retryAfter: overQuota } : this.drawFault(routeName);
      if (fault?.type === 'hang') {
        this.record(req, routeName, 0);
        return;
      }
      if (fault?.type === 'reset') {
        this.record(req, routeName, 0);
        res.socket?.destroy();
        return;
      }
      if (fault?.type === 'applied-then-hang' || fault?.type === 'applied-then-status') {
        await this.respond(req, match, null);
        if (fault.type === 'applied-then-hang') {
          this.record(req, routeName, 0);
          return;
        }
        const response = this.definition.errorResponse(fault.status, 'injected fault after the write');
        this.record(req, routeName, response.status);
        send(res, response);
        return;
      }
      const response = await this.respond(req, match, fault);
      this.record(req, routeName, response.status);
      send(res, response);
    } catch (error) {
      const response = this.definition.errorResponse(500, 'simulator failure');
      this.record(req, routeName, 500);
      send(res, response);
      console.error(`${this.provider} simulator: handler failed`, error);
    } finally {
      this.leave(routeName);
    }
  }

  /** Counts this arrival against the quota: the Retry-After to answer with when over it, else null. */
  private overQuota(req: SimRequest): string | null {
    const quota = this.quota;
    if (quota === null) return null;
    const now = Date.now();
    if (quota.mode === 'window') {
      while (this.arrivals.length > 0 && now - (this.arrivals[0] as number) >= 1000) this.arrivals.shift();
      if (this.arrivals.length >= quota.perSecond) return quota.retryAfter ?? '1';
      this.arrivals.push(now);
      return null;
    }
    const credential = String(req.headers.authorization ?? req.headers['x-api-key'] ?? '');
    const burst = quota.burst ?? quota.perSecond;
    const bucket = this.buckets.get(credential) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * quota.perSecond);
    bucket.at = now;
    this.buckets.set(credential, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return null;
    }
    return quota.retryAfter ?? String(Math.max(1, Math.ceil((1 - bucket.tokens) / quota.perSecond)));
  }

  private async respond(
    req: SimRequest,
    match: { route: Route } | null,
    fault: Fault | null,
  ): Promise<SimResponse> {
    if (fault?.type === 'status') {
      const base = this.definition.errorResponse(fault.status, 'injected fault');
      return fault.body === undefined ? base : { ...base, body: fault.body };
    }
    if (fault?.type === 'rate-limit') {
      const base = this.definition.errorResponse(429, 'too many requests');
      return { ...base, headers: { ...base.headers, 'retry-after': fault.retryAfter ?? '1' } };
    }
    if (fault?.type === 'malformed') {
      return { status: 200, headers: { 'content-type': 'application/json' }, raw: '{"user_id": "trunc' };
    }
    if (match === null) return this.definition.errorResponse(404, `no route for ${req.method} ${req.path}`);
    if (!match.route.public) {
      const denied = this.definition.authenticate(req);
      if (denied) return denied;
    }
    return match.route.handle(req);
  }

  private match(method: string, path: string): { route: Route; params: Record<string, string> } | null {
    for (const { route, regex, keys } of this.routes) {
      if (route.method !== method) continue;
      const found = regex.exec(path);
      if (!found) continue;
      const params: Record<string, string> = {};
      keys.forEach((key, index) => {
        params[key] = decodeURIComponent(found[index + 1] ?? '');
      });
      return { route, params };
    }
    return null;
  }

  private drawFault(route: string): Fault | null {
    for (const active of this.faults) {
      if (active.remaining <= 0) continue;
      if (active.rule.route !== undefined && active.rule.route !== route) continue;
      if (active.rule.probability !== undefined && this.random() >= active.rule.probability) continue;
      active.remaining -= 1;
      return active.rule.fault;
    }
    return null;
  }

  private enter(route: string): void {
    for (const key of [route, '*']) {
      const now = (this.inFlight.get(key) ?? 0) + 1;
      this.inFlight.set(key, now);
      this.peak.set(key, Math.max(this.peak.get(key) ?? 0, now));
    }
  }

  private leave(route: string): void {
    for (const key of [route, '*']) this.inFlight.set(key, (this.inFlight.get(key) ?? 1) - 1);
  }

  private record(req: SimRequest, route: string, status: number): void {
    this.log.push({
      route,
      method: req.method,
      path: req.path,
      query: req.query.toString(),
      body: req.body,
      headers: req.headers,
      status,
      at: Date.now(),
    });
  }
}

function send(res: ServerResponse, response: SimResponse): void {
  const headers: Record<string, string> = { ...response.headers };
  let payload = '';
  if (response.raw !== undefined) payload = response.raw;
  else if (response.body !== undefined) {
    payload = JSON.stringify(response.body);
    headers['content-type'] ??= 'application/json';
  }
  res.writeHead(response.status, headers);
  res.end(payload);
}

function compile(route: Route): CompiledRoute {
  const keys: string[] = [];
  const source = route.pattern
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      keys.push(segment.slice(1));
      return '([^/]+)';
    })
    .join('/');
  return { route, regex: new RegExp(`^${source}$`), keys };
}

/** Small seeded PRNG so probabilistic faults replay identically. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
