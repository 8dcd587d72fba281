import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { type AuthSettings, authSettings } from '../auth/settings.js';
import { cacheSettings } from '../cache/cache-settings.js';
import { limitSettings } from '../cost/limits.js';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../resilience/deadline.js';
import { resilienceConfig } from '../resilience/options.js';
import { redisSettings } from '../shared/redis-settings.js';

// usergraph.yaml, validated in full at start: every problem is reported at once with its path, and
// no value is ever echoed (values may be secrets).

const name = z
  .string()
  .regex(
    /^[a-z][a-z0-9_-]{0,62}$/,
    'must be 1–63 lower-case letters, digits, "-" or "_", starting with a letter',
  );
/** An example's stand-in (`replace-with-…`, `changeme`, `<token>`): never a real secret. */
const PLACEHOLDER = /^(replace[-_ ]?(me|with)|change[-_ ]?me|your[-_ ]|<[^>]+>$|x{8,}$)/i;
const notPlaceholder = (value: string) => !PLACEHOLDER.test(value);
const PLACEHOLDER_MESSAGE = 'is a placeholder from an example: set the real value';
const secret = z.string().min(1, 'must not be empty').refine(notPlaceholder, PLACEHOLDER_MESSAGE);
const baseUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://acme.us.monocloud.com' })
  .transform((url) => url.replace(/\/+$/, ''));
const positiveInt = (max: number) =>
  z.number().int('must be a whole number').min(1, 'must be at least 1').max(max);

const common = {
  name: name.describe(
    'Unique; 1–63 of a-z 0-9 - _, starting with a letter. Part of every global id, so renaming a directory changes its users’ ids.',
  ),
  baseUrl: baseUrl.describe(
    'The provider’s origin (https://acme.us.monocloud.com, https://corp.zitadel.cloud, https://services.cloud.mongodb.com); usergraph appends the documented paths.',
  ),
  timeoutMs: positiveInt(120_000).default(10_000).describe('Upper bound for one upstream call, in ms.'),
  concurrency: positiveInt(64).default(8).describe('Upstream calls in flight at once for one batch.'),
  scanBudget: positiveInt(1000)
    .default(10)
    .describe(
      'Upstream list requests one filtered page may spend on what the provider cannot filter natively.',
    ),
  resilience: resilienceConfig
    .optional()
    .describe('Retries, circuit breaker, outbound rate limit and concurrency cap (docs/resilience.md).'),
  cache: cacheSettings
    .optional()
    .describe('Users read by id kept across requests (docs/scaling-out.md); off when absent.'),
  tls: z
    .strictObject({
      ca: z
        .string()
        .refine((pem) => pem.includes('-----BEGIN CERTIFICATE-----'), 'must be PEM certificates')
        .optional()
        .describe('PEM certificates to trust beside the system’s (and NODE_EXTRA_CA_CERTS).'),
      http2: z
        .boolean('must be true or false')
        .default(false)
        .describe(
          'Offer HTTP/2 to the directory (ALPN); used where it accepts, else HTTP/1.1. Off by default: in the bench it sped batched reads up and single reads down (BENCHMARKS.md).',
        ),
    })
    .optional()
    .describe(
      "TLS to the directory: extra certificate authorities (PEM) to trust, e.g. a corporate TLS-inspecting proxy's.",
    ),
};

const monocloud = z.strictObject({
  provider: z.literal('monocloud').describe('monocloud, zitadel or app-services.'),
  ...common,
  apiKey: secret.describe('Management API key, sent as X-API-KEY.'),
  emailScanBudget: positiveInt(100)
    .default(3)
    .describe(
      "Pages (of 100) one email's free-text search may read before that email is SCAN_BUDGET_EXHAUSTED.",
    ),
});

const zitadel = z.strictObject({
  provider: z.literal('zitadel').describe('monocloud, zitadel or app-services.'),
  ...common,
  token: secret.describe('Bearer token: a personal access token of a service user with user.read.'),
  chunkSize: positiveInt(1000).default(100).describe('Ids per `POST /v2/users` batch.'),
});

const appServices = z
  .strictObject({
    provider: z.literal('app-services').describe('monocloud, zitadel or app-services.'),
    ...common,
    groupId: secret.describe('Atlas project id.'),
    appId: secret.describe('The app’s ObjectId _id (not its client app id).'),
    publicApiKey: secret
      .optional()
      .describe(
        'Atlas programmatic API key, public part; with privateApiKey usergraph logs in and refreshes before expiry.',
      ),
    privateApiKey: secret.optional().describe('Atlas programmatic API key, private part.'),
    accessToken: secret
      .optional()
      .describe('Instead of the key pair: a ready access token, used as is (never refreshed).'),
    tokenLifetimeMs: positiveInt(24 * 3_600_000)
      .default(30 * 60_000)
      .describe('How long App Services access tokens live (30 min on Atlas); refreshed before they expire.'),
    emailScanBudget: positiveInt(10_000)
      .default(40)
      .describe(
        'List pages (of 50) one email lookup may read, the API having no email query: 40 is 2000 users.',
      ),
  })
  .superRefine((value, ctx) => {
    const pair = value.publicApiKey !== undefined && value.privateApiKey !== undefined;
    const half = (value.publicApiKey === undefined) !== (value.privateApiKey === undefined);
    if (half) {
      ctx.addIssue({
        code: 'custom',
        path: [value.publicApiKey === undefined ? 'publicApiKey' : 'privateApiKey'],
        message: 'publicApiKey and privateApiKey must be given together',
      });
    } else if (!pair && value.accessToken === undefined) {
      ctx.addIssue({ code: 'custom', message: 'needs publicApiKey and privateApiKey, or accessToken' });
    } else if (pair && value.accessToken !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'give either the API key pair or accessToken, not both' });
    }
  });

export const serverSettings = z.strictObject({
  headersTimeoutMs: positiveInt(600_000)
    .default(10_000)
    .describe("A request's headers must have arrived within this (slowloris)."),
  requestTimeoutMs: positiveInt(3_600_000)
    .default(30_000)
    .describe('The whole request, headers and body, must have arrived within this.'),
  keepAliveTimeoutMs: positiveInt(600_000)
    .default(5_000)
    .describe('An idle keep-alive connection is closed after this.'),
  maxConnections: positiveInt(1_000_000)
    .default(1_000)
    .describe('Connections open at once; more are refused.'),
  maxConnectionsPerAddress: z
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .default(100)
    .describe(
      'Connections one client address may hold open (0: no cap). Behind a trusted proxy, the requests in flight per forwarded client address instead.',
    ),
  trustedProxies: z
    .array(
      z.string().refine((entry) => {
        const [address, prefix, ...rest] = entry.split('/');
        const version = isIP(address ?? '');
        if (version === 0 || rest.length > 0) return false;
        if (prefix === undefined) return true;
        const bits = Number(prefix);
        return /^\d{1,3}$/.test(prefix) && bits <= (version === 4 ? 32 : 128);
      }, 'must be an IP address or a CIDR range such as 10.0.0.0/8'),
    )
    .default([])
    .describe('Load balancers whose X-Forwarded-For is believed: addresses or CIDR ranges.'),
  drainSeconds: z
    .number()
    .int()
    .min(0)
    .max(300)
    .default(5)
    .describe(
      'After SIGTERM, readiness fails at once and requests are still served this long (so the load balancer stops sending before the server stops accepting); then in-flight ones finish within SHUTDOWN_GRACE_MS.',
    ),
  maxBodyBytes: positiveInt(100_000_000)
    .default(2_000_000)
    .describe('Bytes of one request body; a larger one is 413 before it is read.'),
});

export type ServerSettings = z.output<typeof serverSettings>;

/** One directory entry of the file: parsing one fills in its defaults. */
export const directoryConfig = z.discriminatedUnion('provider', [monocloud, zitadel, appServices], {
  error: (issue) =>
    issue.code === 'invalid_union' ? 'provider must be one of: monocloud, zitadel, app-services' : undefined,
});

/** How long a replica's claim to some cluster-wide work lasts (the feed's pollers, webhooks' deliveries). */
const leaseSeconds = (work: string) =>
  z
    .number()
    .int()
    .min(3)
    .max(600)
    .default(15)
    .describe(
      `How long a replica’s claim to ${work} lasts unrenewed: another replica takes over this long after its holder died (at once when it drains).`,
    );

/** The pushed change feed (`feed:`); its defaults are what demo mode runs. */
export const feedSettings = z.strictObject({
  enabled: z
    .boolean('must be true or false')
    .default(true)
    .describe(
      'Poll every directory’s change feed into the streams `subscription { changes }` and the cache read.',
    ),
  minIntervalMs: z
    .number()
    .int()
    .min(200)
    .max(600_000)
    .default(1_000)
    .describe('The shortest wait between two polls of a directory (right after changes).'),
  maxIntervalMs: z
    .number()
    .int()
    .min(200)
    .max(3_600_000)
    .default(30_000)
    .describe(
      'The longest wait between two polls of a quiet directory (it doubles per empty poll up to this).',
    ),
  leaseSeconds: leaseSeconds('poll a directory'),
  maxLength: z
    .number()
    .int()
    .min(100)
    .max(10_000_000)
    .default(10_000)
    .describe(
      'Changes each directory’s stream keeps at most; an older subscription cursor ends with CHANGES_EXPIRED.',
    ),
  maxAgeSeconds: z
    .number()
    .int()
    .min(60)
    .max(30 * 86_400)
    .default(86_400)
    .describe('How long each directory’s stream keeps a change.'),
  subscriptionsPerPrincipal: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(10)
    .describe('Subscriptions one caller may hold open at once on one replica (RATE_LIMITED past it).'),
  eventsPerSecond: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(100)
    .describe('Events one subscription is sent per second at most (the rest wait their turn).'),
});

/** Webhooks (`webhooks:`): where they may point, how hard they are retried; endpoints come from the API. */
export const webhookSettings = z.strictObject({
  enabled: z
    .boolean('must be true or false')
    .default(true)
    .describe(
      'Deliver changes to the endpoints registered with `createWebhook` (needs `feed.enabled`; nothing is sent until one is registered).',
    ),
  allowHttp: z
    .boolean('must be true or false')
    .default(false)
    .describe('Allow plain `http:` endpoint URLs (else https only).'),
  allowPrivateNetworks: z
    .boolean('must be true or false')
    .default(false)
    .describe(
      'Allow endpoints in loopback, private, link-local and carrier-grade NAT networks (else refused when created and at every connection: SSRF).',
    ),
  maxEndpoints: z
    .number()
    .int()
    .min(1)
    .max(1_000)
    .default(50)
    .describe('Endpoints the cluster holds at most.'),
  timeoutMs: z
    .number()
    .int()
    .min(100)
    .max(60_000)
    .default(10_000)
    .describe('The bound of one attempt: connecting, the answer’s headers, its body.'),
  retryInitialMs: z
    .number()
    .int()
    .min(10)
    .max(3_600_000)
    .default(5_000)
    .describe('The first retry’s delay; each next one doubles (with jitter) up to `retryMaxMs`.'),
  retryMaxMs: z
    .number()
    .int()
    .min(10)
    .max(86_400_000)
    .default(600_000)
    .describe('The longest delay between two attempts at one message.'),
  retryForSeconds: z
    .number()
    .int()
    .min(1)
    .max(30 * 86_400)
    .default(3 * 86_400)
    .describe('How long a message is retried after it was queued; then it becomes a dead letter.'),
  concurrencyPerEndpoint: z
    .number()
    .int()
    .min(1)
    .max(64)
    .default(4)
    .describe(
      'Deliveries to one endpoint in flight at once (one per directory at most: order is per directory).',
    ),
  maxBacklog: z
    .number()
    .int()
    .min(10)
    .max(1_000_000)
    .default(100_000)
    .describe('Messages one directory’s queue holds for an endpoint; past it, new ones become dead letters.'),
  breakerFailures: z
    .number()
    .int()
    .min(1)
    .max(1_000)
    .default(5)
    .describe('Consecutive failed attempts after which an endpoint is left alone for `breakerOpenSeconds`.'),
  breakerOpenSeconds: z
    .number()
    .int()
    .min(1)
    .max(3_600)
    .default(30)
    .describe('How long an endpoint whose breaker opened is left alone.'),
  leaseSeconds: leaseSeconds('deliver to an endpoint'),
  rotationOverlapSeconds: z
    .number()
    .int()
    .min(0)
    .max(30 * 86_400)
    .default(86_400)
    .describe(
      'How long the old secret keeps signing after `rotateWebhookSecret` (unless the call says otherwise).',
    ),
});

export const fileSchema = z
  .strictObject({
    directories: z
      .array(directoryConfig)
      .min(1, 'must list at least one directory')
      .describe('The directories to serve, at least one.'),
    federation: z
      .boolean('must be true or false')
      .default(false)
      .describe('Serve as an Apollo Federation 2 subgraph (same as `--subgraph`).'),
    subgraphAuthDirectives: z
      .boolean('must be true or false')
      .default(true)
      .describe(
        'In subgraph mode, @requiresScopes in the SDL (false for @apollo/gateway, which refuses them).',
      ),
    subgraphCompositeKey: z
      .boolean('must be true or false')
      .default(false)
      .describe(
        'In subgraph mode, also key users by `directoryName localId` (for @apollo/gateway; Hive Gateway ≤ 2.15 cannot plan it).',
      ),
    requestTimeoutMs: positiveInt(300_000)
      .default(DEFAULT_REQUEST_TIMEOUT_MS)
      .describe('Deadline of one GraphQL request, propagated to every upstream call it makes.'),
    jit: z
      .boolean('must be true or false')
      .default(true)
      .describe("Execute with graphql-jit (default); false runs graphql-js's own executor."),
    metrics: z
      .strictObject({
        enabled: z.boolean('must be true or false').default(true).describe('Prometheus metrics on or off.'),
        port: z
          .number()
          .int()
          .min(0)
          .max(65_535)
          .optional()
          .describe(
            'Serve /metrics on this port instead, to whoever reaches it (e.g. only the cluster network).',
          ),
      })
      .prefault({})
      .describe('Prometheus metrics: at /metrics (scope metrics:read), or on a port of their own.'),
    server: serverSettings
      .prefault({})
      .describe("The HTTP server's own bounds, before any GraphQL (docs/limits.md)."),
    redis: redisSettings
      .optional()
      .describe('State replicas share (quotas, hold-offs, optionally the cache); absent: all in memory.'),
    cursorSecret: z
      .string()
      .min(32, 'must be at least 32 characters (e.g. openssl rand -base64 48)')
      .refine(notPlaceholder, PLACEHOLDER_MESSAGE)
      .optional()
      .describe('Signs list cursors; every replica needs the same one (32+ characters).'),
    previousCursorSecrets: z
      .array(z.string().min(32, 'must be at least 32 characters'))
      .max(5)
      .default([])
      .describe(
        'Secrets cursors were signed with before `cursorSecret` (a rotation): still accepted, never used to sign.',
      ),
    limits: limitSettings
      .prefault({})
      .describe('What one operation may ask for: static limits and the upstream-call budget.'),
    auth: authSettings
      .optional()
      .describe('Who may call (required with a config file; `mode: none` to serve without authentication).'),
    http: z
      .strictObject({
        corsOrigins: z
          .array(
            z
              .string()
              .regex(
                /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/,
                'must be an origin such as https://admin.example.com',
              ),
          )
          .default([])
          .describe('Origins a browser page may call usergraph from (CORS); none: same-origin only.'),
        allowGet: z
          .boolean('must be true or false')
          .default(false)
          .describe(
            'Also execute GET queries that carry no credential (never with the scopes that read personal data); a GET with a credential is served anyway.',
          ),
        graphiql: z
          .boolean('must be true or false')
          .optional()
          .describe('Serve GraphiQL at /graphql to browsers; default: off in production, on otherwise.'),
        introspection: z
          .boolean('must be true or false')
          .optional()
          .describe(
            'Introspection for every caller; default: off in production (then `schema:introspect` only).',
          ),
        adminReload: z
          .boolean('must be true or false')
          .default(false)
          .describe('Serve POST /admin/reload for principals with `admin:reload` (SIGHUP works either way).'),
        webSocket: z
          .boolean('must be true or false')
          .default(true)
          .describe(
            'Also serve /graphql over WebSocket (the graphql-ws protocol); each operation passes the same gate as an HTTP request.',
          ),
      })
      .prefault({})
      .describe('How browsers and HTTP clients may reach the API.'),
    trustedDocuments: z
      .strictObject({
        mode: z
          .enum(['off', 'prefer', 'only'])
          .default('off')
          .describe(
            'off: no manifest; prefer: trusted documents prepared, others served too; only: others refused except for documents:arbitrary.',
          ),
        manifests: z
          .array(z.string().min(1))
          .default([])
          .describe('Manifest files, relative to this config file.'),
      })
      .prefault({})
      .refine((value) => value.mode === 'off' || value.manifests.length > 0, {
        message: 'mode prefer or only needs at least one file in `manifests`',
      })
      .describe(
        "Trusted documents: operation manifests (GraphQL Code Generator's persisted documents, Apollo's persisted query list) whose operations are prepared at start and run by id; `only` refuses other documents except from principals with `documents:arbitrary`.",
      ),
    production: z
      .boolean('must be true or false')
      .optional()
      .describe(
        'Production defaults (GraphiQL, introspection and field suggestions off); default: NODE_ENV=production.',
      ),
    audit: z
      .discriminatedUnion('sink', [
        z.strictObject({ sink: z.literal('stdout').describe('In the process log, marked "log":"audit".') }),
        z.strictObject({
          sink: z.literal('file').describe('Appended to a file of its own (mode 0600).'),
          path: z.string().min(1).describe('The audit file.'),
        }),
        z.strictObject({ sink: z.literal('off').describe('No audit log.') }),
      ])
      .prefault({ sink: 'stdout' })
      .describe('Where the audit log goes: standard output (default), a file, or nowhere.'),
    feed: feedSettings
      .prefault({})
      .describe(
        'The pushed change feed: `subscription { changes }` over SSE, and a cache that learns from it.',
      ),
    webhooks: webhookSettings
      .prefault({})
      .describe('Webhooks: changes pushed to registered HTTPS endpoints, signed per Standard Webhooks.'),
    actions: z
      .strictObject({
        idempotencySeconds: z
          .number()
          .int()
          .min(60)
          .max(30 * 86_400)
          .default(86_400)
          .describe(
            'How long a mutation’s result is kept under its idempotency key (in Redis when configured, else in this process).',
          ),
      })
      .prefault({})
      .describe('Acting on people (mutations): docs/actions.md.'),
  })
  .superRefine((value, ctx) => {
    if (value.auth === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['auth'],
        message:
          'is required: configure `jwt` and/or `apiKeys`, or say `mode: none` to serve without authentication',
      });
    }
    for (const [index, directory] of value.directories.entries()) {
      if (directory.cache?.store === 'redis' && value.redis === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['directories', index, 'cache', 'store'],
          message: 'is redis, but no `redis:` is configured',
        });
      }
    }
    const seen = new Set<string>();
    value.directories.forEach((entry, index) => {
      if (seen.has(entry.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['directories', index, 'name'],
          message: `"${entry.name}" is used twice`,
        });
      }
      seen.add(entry.name);
    });
  });

export type DirectoryConfig = z.output<typeof directoryConfig>;
export type MonoCloudDirectoryConfig = z.output<typeof monocloud>;
export type ZitadelDirectoryConfig = z.output<typeof zitadel>;
export type AppServicesDirectoryConfig = z.output<typeof appServices>;

/** The config file, validated, with defaults applied. */
export interface Config {
  /** The file it was read from. */
  readonly source: string;
  readonly directories: readonly DirectoryConfig[];
  readonly federation: boolean;
  readonly subgraphAuthDirectives: boolean;
  readonly subgraphCompositeKey: boolean;
  readonly requestTimeoutMs: number;
  readonly jit: boolean;
  readonly auth: AuthSettings;
  readonly http: z.output<typeof fileSchema>['http'];
  readonly production: boolean | undefined;
  readonly audit: z.output<typeof fileSchema>['audit'];
  readonly actions: z.output<typeof fileSchema>['actions'];
  readonly feed: z.output<typeof fileSchema>['feed'];
  readonly webhooks: z.output<typeof fileSchema>['webhooks'];
  readonly limits: z.output<typeof fileSchema>['limits'];
  readonly cursorSecret: string | undefined;
  readonly previousCursorSecrets: readonly string[];
  readonly server: ServerSettings;
  readonly metrics: z.output<typeof fileSchema>['metrics'];
  readonly redis: z.output<typeof fileSchema>['redis'];
  readonly trustedDocuments: z.output<typeof fileSchema>['trustedDocuments'];
}

export type ConfigResult =
  | { readonly ok: true; readonly config: Config }
  | { readonly ok: false; readonly problems: string[] };

export function loadConfigFile(path: string, env: NodeJS.ProcessEnv): ConfigResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return {
      ok: false,
      problems: [`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`],
    };
  }
  return parseConfig(text, path, env);
}

export function parseConfig(text: string, source: string, env: NodeJS.ProcessEnv): ConfigResult {
  const problems: string[] = [];

  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    for (const error of document.errors) {
      const at = error.linePos?.[0];
      problems.push(`${source}${at ? `:${at.line}:${at.col}` : ''}: YAML syntax error (${error.code})`);
    }
    return { ok: false, problems };
  }
  const interpolated = interpolate(document.toJS(), [], env, problems);
  const parsed = fileSchema.safeParse(interpolated);
  if (!parsed.success) {
    // A path whose environment variable is missing is already reported; don't add "must not be empty".
    const reported = new Set(problems.map((problem) => problem.slice(0, problem.indexOf(':'))));
    for (const issue of parsed.error.issues) {
      const at = formatPath(issue.path);
      if (!reported.has(at)) problems.push(`${at}: ${issue.message}`);
    }
  }
  if (problems.length > 0 || !parsed.success) return { ok: false, problems };
  return {
    ok: true,
    config: {
      source,
      directories: parsed.data.directories,
      federation: parsed.data.federation,
      subgraphAuthDirectives: parsed.data.subgraphAuthDirectives,
      subgraphCompositeKey: parsed.data.subgraphCompositeKey,
      requestTimeoutMs: parsed.data.requestTimeoutMs,
      jit: parsed.data.jit,
      auth: parsed.data.auth as AuthSettings,
      http: parsed.data.http,
      production: parsed.data.production,
      audit: parsed.data.audit,
      actions: parsed.data.actions,
      feed: parsed.data.feed,
      webhooks: parsed.data.webhooks,
      limits: parsed.data.limits,
      cursorSecret: parsed.data.cursorSecret,
      previousCursorSecrets: parsed.data.previousCursorSecrets,
      server: parsed.data.server,
      metrics: parsed.data.metrics,
      redis: parsed.data.redis,
      trustedDocuments: parsed.data.trustedDocuments,
    },
  };
}

/** Replaces `${VAR}` in every string with the environment's value; a missing variable is a problem at that path. */
function interpolate(
  value: unknown,
  path: PropertyKey[],
  env: NodeJS.ProcessEnv,
  problems: string[],
): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, variable: string) => {
      const found = env[variable];
      if (found === undefined || found === '') {
        problems.push(`${formatPath(path)}: environment variable ${variable} is not set`);
        return '';
      }
      return found;
    });
  }
  if (Array.isArray(value))
    return value.map((item, index) => interpolate(item, [...path, index], env, problems));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolate(item, [...path, key], env, problems)]),
    );
  }
  return value;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}
