import { createHash, randomBytes } from 'node:crypto';
import type { RequestListener } from 'node:http';
import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import type { Tracer } from '@opentelemetry/api';
import type { DocumentNode } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { ActionServices } from '../actions/action-store.js';
import { MemoryActionStore } from '../actions/memory-action-store.js';
import type { Authenticator } from '../auth/authenticator.js';
import { OPEN_PRINCIPAL, type Principal, withoutPiiScopes } from '../auth/principal.js';
import { type LimitOverrides, withDefaultLimits } from '../cost/limits.js';
import type { CallContext } from '../directory/call-context.js';
import { CursorCodec } from '../directory/cursor.js';
import type { DirectoryRegistry } from '../directory/registry.js';
import type { ManifestEntry } from '../documents/manifest.js';
import { TrustedDocuments, type TrustedMode } from '../documents/trusted-documents.js';
import { type Context, createContext, type Feed } from '../graphql/context.js';
import { maskError } from '../graphql/graphql-errors.js';
import type { AuditSink } from '../observability/audit.js';
import { createLog, type LogLevel, yogaLogger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { type ReloadOutcome, useAdminReload } from '../plugins/access/use-admin-reload.js';
import { useAuth } from '../plugins/access/use-auth.js';
import { CACHE_BYPASS_HEADER, useCacheBypass } from '../plugins/access/use-cache-bypass.js';
import { useIntrospectionPolicy } from '../plugins/access/use-introspection-policy.js';
import {
  usePersistedQueriesNotSupported,
  useTrustedDocuments,
} from '../plugins/access/use-trusted-documents.js';
import { useWritePolicy } from '../plugins/access/use-write-policy.js';
import { useLimits } from '../plugins/cost/use-limits.js';
import { useRateLimit } from '../plugins/cost/use-rate-limit.js';
import { useUpstreamBudget } from '../plugins/cost/use-upstream-budget.js';
import { useEventStreamIds } from '../plugins/execution/use-event-stream-ids.js';
import {
  JIT_CACHE_BYTES,
  JIT_MAX_COMPILED_SIZE,
  settleListItems,
  useJit,
} from '../plugins/execution/use-jit.js';
import { usePartialErrors } from '../plugins/execution/use-partial-errors.js';
import { MAX_REQUEST_BODY_BYTES, useBodyLimit } from '../plugins/hygiene/use-body-limit.js';
import { useRequestDeadline } from '../plugins/hygiene/use-request-deadline.js';
import { useRequestErrors } from '../plugins/hygiene/use-request-errors.js';
import { useRequestId } from '../plugins/hygiene/use-request-id.js';
import { carriesCredential, useRequestPolicy } from '../plugins/hygiene/use-request-policy.js';
import { isGraphQLPath, ROUTES, UNREACHABLE_ENDPOINT, useRoutes } from '../plugins/hygiene/use-routes.js';
import { type PageSecurity, useSecurityHeaders } from '../plugins/hygiene/use-security-headers.js';
import { type AccessRecord, useAccessLog } from '../plugins/observability/use-access-log.js';
import { useAudit } from '../plugins/observability/use-audit.js';
import { useMetricsEndpoint } from '../plugins/observability/use-metrics-endpoint.js';
import { useOperationMetrics } from '../plugins/observability/use-operation-metrics.js';
import { type ServingState, useReadiness } from '../plugins/observability/use-readiness.js';
import { useTracing } from '../plugins/observability/use-tracing.js';
import {
  type ClosingResponse,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type RequestDeadline,
  requestDeadline,
} from '../resilience/deadline.js';
import { buildSchema } from '../schema/index.js';
import { PrincipalQuotas } from '../shared/principal-quota.js';
import type { SharedState } from '../shared/shared-state.js';
import { createLane, type LaneCounts } from './graphql-lane.js';

export interface AppOptions {
  readonly directories: DirectoryRegistry;
  /** The query GraphiQL opens with; defaults to one that lists the configured directories. */
  readonly exampleQuery?: string;
  /** Serve as an Apollo Federation 2 subgraph (`_entities`, `_service`) instead of a plain GraphQL API. */
  readonly federation?: boolean;
  /**
   * In subgraph mode, print @requiresScopes in the SDL (default) for Apollo Router and Hive Gateway to
   * enforce too; false for @apollo/gateway, which refuses supergraphs with security features.
   */
  readonly subgraphAuthDirectives?: boolean;
  /**
   * In subgraph mode, also key users by `directoryName localId`. For @apollo/gateway (Apollo Router untested):
   * Hive Gateway ≤ 2.15 cannot plan that second key across `@interfaceObject`.
   */
  readonly subgraphCompositeKey?: boolean;
  /** Bytes of one request body (default 2 MB, `server.maxBodyBytes`). */
  readonly maxBodyBytes?: number;
  /** Deadline of one GraphQL request, propagated to every upstream call (default 10 s). */
  readonly requestTimeoutMs?: number;
  /**
   * Execute with graphql-jit (compiled per document, cached), for throughput (BENCHMARKS.md, "Hand-tuned spots").
   * Off runs graphql-js's own executor; answers are the same either way (test/jit-parity.test.ts).
   */
  readonly jit?: boolean;
  /** The process's log (access lines, warnings, audit); one at `logLevel` on standard output when absent. */
  readonly log?: Logger;
  /** The level of the log made when none is given (default `info`). */
  readonly logLevel?: LogLevel;
  /** Who may read what, and how browsers may reach it (default: open, same-origin, development). */
  readonly security?: Partial<SecurityOptions>;
  /** What one operation may ask for (docs/limits.md); the documented defaults where absent. */
  readonly limits?: LimitOverrides;
  /**
   * Signs list cursors; replicas must share it so a cursor from one pages on through another. Absent:
   * a random key for this process (cursors then die with it).
   */
  readonly cursorSecret?: string;
  /** Secrets cursors were signed with before (a rotation): still accepted. */
  readonly previousCursorSecrets?: readonly string[];
  /** Prometheus metrics (the same object the directories' guards report to); none when absent. */
  readonly metrics?: Metrics;
  /** Serve /metrics on the main port (false when a separate metrics port does). */
  readonly metricsEndpoint?: boolean;
  /** OpenTelemetry: a span per request, per directory batch and per upstream attempt; none when absent. */
  readonly tracer?: Tracer;
  /** Redis shared by the replicas: per-principal quotas are counted there too. None: in this process. */
  readonly shared?: SharedState;
  /** Reloads the config: served at POST /admin/reload (http.adminReload) for `admin:reload`. Absent: not served. */
  readonly reload?: () => Promise<ReloadOutcome>;
  /** Whether the process serves or drains (main.ts sets it on SIGTERM); readiness reports it. */
  readonly serving?: ServingState;
  /**
   * The operations this deployment trusts (config `trustedDocuments`), prepared when the app is built;
   * a document that does not validate throws TrustedDocumentsError. Absent: no manifest (mode off).
   */
  readonly trustedDocuments?: { readonly mode: TrustedMode; readonly entries: readonly ManifestEntry[] };
  /** The action log the mutations use (process-wide, Redis when configured); absent: one in this app's memory. */
  readonly actions?: ActionServices;
  /** The change streams `subscription { changes }` reads (their poller runs beside the app); absent: no feed. */
  readonly feed?: Feed;
}

export interface SecurityOptions {
  /** Checks every GraphQL request's credentials; null: authentication off (`auth.mode: none`, demo). */
  readonly authenticator: Authenticator | null;
  /** Origins a browser may call usergraph from (CORS, with credentials); none: same-origin only. */
  readonly corsOrigins: readonly string[];
  /** Execute GET requests (queries only, and never with the scopes that read personal data). */
  readonly allowGet: boolean;
  readonly graphiql: boolean;
  /** Introspection for everyone; without it only principals with `schema:introspect` may introspect. */
  readonly introspection: boolean;
  /** Hide "Did you mean …?" field suggestions in validation errors (production). */
  readonly blockSuggestions: boolean;
  /** Where the audit log goes; null: nowhere. */
  readonly audit: AuditSink | null;
  /** How recent a sign-in a token must show to write (auth_time); 0: no step-up. */
  readonly stepUpMaxAgeSeconds: number;
  /** API keys may write while step-up is on. */
  readonly stepUpExemptApiKeys: boolean;
}

const DEVELOPMENT: SecurityOptions = {
  authenticator: null,
  corsOrigins: [],
  allowGet: false,
  graphiql: true,
  introspection: true,
  blockSuggestions: false,
  audit: null,
  stepUpMaxAgeSeconds: 0,
  stepUpExemptApiKeys: false,
};

/** What node:http gives Yoga beside the request (absent under `app.fetch`), and what plugins add. */
export interface ServerContext {
  readonly res?: ClosingResponse;
  requestId?: string;
  principal?: Principal;
  deadline?: RequestDeadline;
  access?: AccessRecord;
  /** What the request's upstream calls carry, as the plugins that own it set it (tracing, cache bypass). */
  calls?: CallContext;
}

export type App = YogaServerInstance<ServerContext, Context> & {
  /**
   * How node:http serves the app: the lane for plain queries, Yoga for everything else (graphql-lane.ts),
   * and how many requests went which way.
   * Not a function on the app itself: Yoga's instance hands out its functions bound, without their fields.
   */
  readonly http: { readonly listener: RequestListener; readonly lane: LaneCounts };
};

/**
 * Parsed documents kept, by their estimated memory: a parsed document holds 45–105 bytes per
 * character of its text (BENCHMARKS.md, "Hostile documents"), so a count alone let 256 documents of 32 KB hold ~800 MB.
 */
const DOCUMENT_CACHE_BYTES = 64 * 2 ** 20;
const AST_BYTES_PER_CHAR = 100;

/** A principal that may read nothing: what a request gets that authentication never saw. */
const NOBODY: Principal = {
  kind: 'open',
  subject: 'nobody',
  scopes: new Set(),
  directories: new Set(),
  expiresAt: null,
};

/** The Yoga instance: schema, per-request context, error masking, GraphiQL. It does not listen. */
export function createApp(options: AppOptions): App {
  const security: SecurityOptions = { ...DEVELOPMENT, ...options.security };
  const limits = withDefaultLimits(options.limits);
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const cursors = new CursorCodec(
    options.cursorSecret === undefined ? randomBytes(32) : Buffer.from(options.cursorSecret, 'utf8'),
    (options.previousCursorSecrets ?? []).map((secret) => Buffer.from(secret, 'utf8')),
  );
  const page: PageSecurity = { csp: null };
  const allowed = new Set(security.corsOrigins);
  const log = options.log ?? createLog({ level: options.logLevel });
  const jit = options.jit !== false;
  const schema = buildSchema({
    federation: options.federation,
    authDirectives: options.subgraphAuthDirectives,
    compositeKey: options.subgraphCompositeKey,
  });
  if (jit) settleListItems(schema);
  const trusted =
    options.trustedDocuments === undefined
      ? null
      : {
          mode: options.trustedDocuments.mode,
          store: TrustedDocuments.prepare(schema, options.trustedDocuments.entries, { jit }),
        };
  const contextServices = {
    registry: options.directories,
    cursors,
    limits,
    actionServices: options.actions ?? { store: new MemoryActionStore(), keepMs: 86_400_000 },
    feed: options.feed ?? null,
  };
  // Order matters: a request id and its access line; the route gate (unknown paths end there, as a
  // logged 404); what every request gets (span, deadline, headers); the endpoints that answer and end
  // (readiness, metrics). Whatever is left is a GraphQL request, and every plugin after them applies
  // to it without looking at its path.
  const plugins: Plugin<Record<string, unknown>, Record<string, unknown>>[] = [
    useRequestId(),
    useAccessLog(log),
    useRoutes(),
    ...(options.tracer === undefined ? [] : [useTracing(options.tracer)]),
    useRequestDeadline(timeoutMs),
    useSecurityHeaders(page),
    useReadiness(options.directories, security.authenticator, options.serving),
    ...(options.reload === undefined ? [] : [useAdminReload(options.reload, security.authenticator)]),
    ...(options.metrics === undefined || options.metricsEndpoint === false
      ? []
      : [useMetricsEndpoint(options.metrics, security.authenticator)]),
    useBodyLimit(options.maxBodyBytes),
    // Audited first among the execution hooks, so a write refused by any later one is in the log.
    ...(security.audit === null ? [] : [useAudit(security.audit)]),
    useWritePolicy(
      {
        stepUpMaxAgeSeconds: security.stepUpMaxAgeSeconds,
        stepUpExemptApiKeys: security.stepUpExemptApiKeys,
        writesPerOperation: limits.writesPerOperation,
      },
      security.authenticator,
      security.audit,
    ),
    useRequestPolicy({ allowGet: security.allowGet }),
    useAuth(security.authenticator),
    useCacheBypass(),
    ...(options.metrics === undefined ? [] : [useOperationMetrics(options.metrics)]),
    ...(trusted === null
      ? [usePersistedQueriesNotSupported()]
      : useTrustedDocuments(trusted.store, trusted.mode)),
    useLimits(limits),
    useRequestErrors(),
    useIntrospectionPolicy({ introspection: security.introspection }),
    useUpstreamBudget(limits),
    useRateLimit(limits.perPrincipal, new PrincipalQuotas(options.shared)),
    ...(security.blockSuggestions ? [blockFieldSuggestionsPlugin()] : []),
    usePartialErrors(),
    useEventStreamIds(),
    ...(jit
      ? useJit({
          maxCompiledSize: JIT_MAX_COMPILED_SIZE,
          cacheBytes: JIT_CACHE_BYTES,
          ...(trusted === null
            ? {}
            : { prepared: (document, operation) => trusted.store.compiledFor(document, operation) }),
        })
      : []),
    // Each plugin types the context it reads; Plugin's generics do not widen to one list's, so the list
    // is cast once for Yoga and the lane alike.
  ] as never[];
  const documents = new LRUCache<string, DocumentNode>({
    maxSize: DOCUMENT_CACHE_BYTES,
    sizeCalculation: (_document, text) => Math.max(1, text.length * AST_BYTES_PER_CHAR),
    ttl: 3_600_000,
  });
  const yoga = createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: ROUTES.graphql,
    // Trusted documents are named by `documentId` (GraphQL Code Generator, Hive, Relay).
    ...(trusted === null ? {} : { extraParamNames: ['documentId'] }),
    healthCheckEndpoint: UNREACHABLE_ENDPOINT,
    landingPage: false,
    context: ({ request, res, requestId, principal, deadline, calls }) => {
      const who = principal ?? (security.authenticator === null ? OPEN_PRINCIPAL : NOBODY);
      return createContext(
        contextServices,
        request.method === 'GET' && !carriesCredential(request.headers) ? withoutPiiScopes(who) : who,
        deadline ?? requestDeadline(timeoutMs, res ?? request.signal),
        calls,
        requestId,
        { signal: request.signal, lastEventId: request.headers.get('last-event-id') },
      );
    },
    maskedErrors: { maskError },
    // Parsed documents are kept for reuse, and with them what is worked out per document (the shape,
    // the cost walk); bounded by bytes, not entries. The jit keeps its compiled code in a bounded cache
    // of its own (use-jit.ts).
    parserAndValidationCache: {
      documentCache: documents,
      errorCache: new LRUCache<string, Error>({
        maxSize: DOCUMENT_CACHE_BYTES,
        sizeCalculation: (_error, text) => Math.max(1, text.length),
        ttl: 3_600_000,
      }),
      validationCache: true,
    },
    // Yoga's own body limit pipes every request body through a TransformStream to count its bytes
    // (BENCHMARKS.md, "Hand-tuned spots"); useBodyLimit checks the header instead.
    maxRequestBodySize: false,
    // Same-origin only unless the config names origins; never a reflected origin with credentials.
    cors: (request) => {
      const origin = request.headers.get('origin');
      if (origin === null || !allowed.has(origin)) return false;
      return {
        origin: [origin],
        credentials: true,
        methods: ['GET', 'POST'],
        allowedHeaders: ['authorization', 'content-type', 'x-api-key', 'x-request-id', CACHE_BYPASS_HEADER],
        exposedHeaders: ['x-request-id'],
        maxAge: 600,
      };
    },
    plugins,
    // Yoga renders GraphiQL for any path ending in its endpoint; only the exact path gets it here.
    graphiql: security.graphiql
      ? (request) =>
          isGraphQLPath(request) && {
            title: 'usergraph',
            defaultQuery: options.exampleQuery ?? DEFAULT_EXAMPLE,
          }
      : false,
    // GraphiQL with its assets inlined, so it works where a CDN is unreachable (closed networks, CI).
    // Loaded on first use: the bundle is large and the API itself never needs it. Its inline scripts
    // are allowed by hash in the page's Content Security Policy, nothing else.
    renderGraphiQL: async (graphiqlOptions) => {
      const html = (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(graphiqlOptions);
      page.csp = pagePolicy(html);
      return html;
    },
    logging: yogaLogger(log),
  });
  const lane = createLane(yoga as never, plugins, {
    documents,
    queryBytes: limits.queryBytes,
    maxBodyBytes: options.maxBodyBytes ?? MAX_REQUEST_BODY_BYTES,
    authenticator: security.authenticator,
    trusted: trusted?.store ?? null,
  });
  const http = { listener: lane, lane: lane.counts };
  return Object.assign(yoga, { http });
}

/** A CSP for a page whose scripts are all inline: each allowed by its hash, and only this origin to talk to. */
function pagePolicy(html: string): string {
  const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
    (match) =>
      `'sha256-${createHash('sha256')
        .update(match[1] ?? '', 'utf8')
        .digest('base64')}'`,
  );
  return [
    "default-src 'none'",
    `script-src 'self' ${hashes.join(' ')}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const DEFAULT_EXAMPLE = `# usergraph: one GraphQL API over every configured user directory.
# Ask for a user by global id with user(id:) or node(id:), or by the provider's own id:
#   directory(name: "…") { user(id: "…") { displayName } }
query Directories {
  directories {
    name
    provider
  }
}
`;
