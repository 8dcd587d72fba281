import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { ProviderKind } from '../directory/model.js';
import type { CircuitState, HealthState } from '../directory/port.js';
import type { DirectoryGuard } from '../resilience/guard.js';
import type { GuardObserver } from '../resilience/observer.js';
import { AttemptBatches } from './attempt-batches.js';

// usergraph's Prometheus metrics (prom-client), one registry per app. Labels are bounded: directory
// names and routes come from the config and the code (route templates, never ids), operation names are
// capped (OPERATION_NAMES distinct, then "other"), codes are usergraph's own. docs/operating.md "Operating
// usergraph" lists them.

/** Buckets of every duration histogram (seconds). */
export const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const CALLS = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
const CIRCUIT_VALUE: Readonly<Record<CircuitState, number>> = { CLOSED: 0, HALF_OPEN: 1, OPEN: 2 };
const STATE_VALUE: Readonly<Record<HealthState, number>> = { UP: 0, DEGRADED: 1, DOWN: 2 };
/** Distinct operation names labelled; the rest are "other" (a client can send any name). */
const OPERATION_NAMES = 100;

export type OperationOutcome = 'ok' | 'partial' | 'error' | 'refused' | 'invalid';

export class Metrics {
  readonly registry = new Registry();
  private readonly names = new Set<string>();
  private readonly guards: { directory: string; provider: ProviderKind; guard: DirectoryGuard }[] = [];

  private readonly upstreamRequests: Counter = new Counter({
    name: 'usergraph_upstream_requests_total',
    help: 'Upstream requests (attempts, retries included) by directory, route template and outcome (status class, timeout, network, aborted).',
    labelNames: ['directory', 'provider', 'route', 'outcome'],
    registers: [this.registry],
    collect: (): void => this.attempts.flushCounts(),
  });
  private readonly upstreamDuration: Histogram = new Histogram({
    name: 'usergraph_upstream_request_duration_seconds',
    help: 'Duration of one upstream attempt.',
    labelNames: ['directory', 'provider', 'route'],
    buckets: SECONDS,
    registers: [this.registry],
    collect: (): void => this.attempts.flushDurations(),
  });
  private readonly retries = new Counter({
    name: 'usergraph_upstream_retries_total',
    help: 'Upstream attempts that were retries.',
    labelNames: ['directory', 'provider', 'route'],
    registers: [this.registry],
  });
  private readonly retryRefusals = new Counter({
    name: 'usergraph_upstream_retry_budget_refusals_total',
    help: 'Retries not made because the retry budget was spent.',
    labelNames: ['directory', 'provider'],
    registers: [this.registry],
  });
  private readonly holdOffs = new Counter({
    name: 'usergraph_upstream_holdoffs_total',
    help: 'Times a directory asked usergraph to hold off (429 with Retry-After).',
    labelNames: ['directory', 'provider'],
    registers: [this.registry],
  });
  private readonly transitions = new Counter({
    name: 'usergraph_circuit_transitions_total',
    help: 'Circuit breaker state changes, by the state entered.',
    labelNames: ['directory', 'provider', 'to'],
    registers: [this.registry],
  });
  private readonly waits = new Histogram({
    name: 'usergraph_limiter_wait_seconds',
    help: 'Time a call waited for the directory’s outbound limiter (only waits over 1 ms).',
    labelNames: ['directory', 'provider'],
    buckets: SECONDS,
    registers: [this.registry],
  });
  private readonly tokens: Counter = new Counter({
    name: 'usergraph_token_renewals_total',
    help: 'Logins and token refreshes, by outcome.',
    labelNames: ['directory', 'provider', 'route', 'outcome'],
    registers: [this.registry],
    collect: (): void => this.attempts.flushCounts(),
  });
  /** The three metrics above that every upstream attempt feeds, fed in batches. */
  private readonly attempts = new AttemptBatches(this.upstreamRequests, this.upstreamDuration, this.tokens);
  private readonly operations = new Counter({
    name: 'usergraph_operations_total',
    help: 'GraphQL operations by name and outcome (ok, partial: data and errors, error, refused by a limit, invalid).',
    labelNames: ['operation', 'outcome'],
    registers: [this.registry],
  });
  private readonly operationDuration = new Histogram({
    name: 'usergraph_operation_duration_seconds',
    help: 'Duration of executed GraphQL operations.',
    labelNames: ['operation'],
    buckets: SECONDS,
    registers: [this.registry],
  });
  private readonly errors = new Counter({
    name: 'usergraph_graphql_errors_total',
    help: 'GraphQL errors in answers, by extensions.code.',
    labelNames: ['operation', 'code'],
    registers: [this.registry],
  });
  private readonly operationCalls = new Histogram({
    name: 'usergraph_operation_upstream_calls',
    help: 'Upstream calls one operation made, per directory.',
    labelNames: ['operation', 'directory'],
    buckets: CALLS,
    registers: [this.registry],
  });
  private readonly directoryErrors = new Counter({
    name: 'usergraph_directory_errors_total',
    help: 'Errors callers got from a directory (a batch-wide failure once per batch), by public code.',
    labelNames: ['directory', 'provider', 'code'],
    registers: [this.registry],
  });
  private readonly quotaFallbacks = new Counter({
    name: 'usergraph_quota_fallback_total',
    help: 'Outbound tokens taken from this replica’s own share of the quota because Redis was unreachable.',
    labelNames: ['directory', 'provider'],
    registers: [this.registry],
  });
  private readonly configReloads = new Counter({
    name: 'usergraph_config_reloads_total',
    help: 'Config reloads (SIGHUP, POST /admin/reload): applied, or refused (the previous config keeps serving).',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  private readonly actions = new Counter({
    name: 'usergraph_actions_total',
    help: 'Accounts the mutations touched, by action (suspend, resume, signOut, removePasskey, removeIdentity, delete) and outcome (planned, changed, unchanged, unsupported, failed, skipped).',
    labelNames: ['action', 'outcome'],
    registers: [this.registry],
  });
  private readonly feedPolls = new Counter({
    name: 'usergraph_feed_polls_total',
    help: 'Change-feed polls this replica made as the holder of a directory’s lease: changes (appended some), empty, failed, or fenced (the lease had passed to another replica).',
    labelNames: ['directory', 'outcome'],
    registers: [this.registry],
  });
  private readonly feedChanges = new Counter({
    name: 'usergraph_feed_changes_total',
    help: 'Changes this replica’s pollers appended to the directories’ streams.',
    labelNames: ['directory'],
    registers: [this.registry],
  });
  private readonly webhookDeliveries = new Counter({
    name: 'usergraph_webhook_deliveries_total',
    help: 'Webhook attempts this replica made as the holder of an endpoint’s lease: delivered (2xx), failed (to be retried), dead (its retry period ended), overflow (queued past webhooks.maxBacklog: dead at once).',
    labelNames: ['endpoint', 'outcome'],
    registers: [this.registry],
  });
  private readonly webhookLag = new Gauge({
    name: 'usergraph_webhook_lag_seconds',
    help: 'How long the oldest message waiting for an endpoint has waited (0: none), on the replica that delivers to it.',
    labelNames: ['endpoint'],
    registers: [this.registry],
  });
  private readonly webhookBacklog = new Gauge({
    name: 'usergraph_webhook_backlog',
    help: 'Messages waiting for an endpoint, on the replica that delivers to it.',
    labelNames: ['endpoint'],
    registers: [this.registry],
  });
  private readonly webhookDead = new Gauge({
    name: 'usergraph_webhook_dead_letters',
    help: 'Dead letters an endpoint holds (replayWebhookDeadLetters puts them back), on the replica that delivers to it.',
    labelNames: ['endpoint'],
    registers: [this.registry],
  });
  private readonly cacheLookups = new Counter({
    name: 'usergraph_cache_lookups_total',
    help: 'Users (and ZITADEL passkeys and links) looked up in the user cache: hit (fresh), stale (served while refreshed) or miss.',
    labelNames: ['directory', 'provider', 'fact', 'result'],
    registers: [this.registry],
  });
  private readonly cacheErrors = new Counter({
    name: 'usergraph_cache_errors_total',
    help: 'User-cache reads or writes Redis failed (a failed read is a miss).',
    labelNames: ['directory', 'provider'],
    registers: [this.registry],
  });
  private readonly refusals = new Counter({
    name: 'usergraph_operations_refused_total',
    help: 'Operations refused before execution, by the limit they crossed.',
    labelNames: ['limit'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const guards = this.guards;
    new Gauge({
      name: 'usergraph_circuit_state',
      help: 'Circuit breaker state per directory: 0 closed, 1 half-open, 2 open.',
      labelNames: ['directory', 'provider'],
      registers: [this.registry],
      collect() {
        for (const { directory, provider, guard } of guards) {
          this.set({ directory, provider }, CIRCUIT_VALUE[guard.breaker.state]);
        }
      },
    });
    new Gauge({
      name: 'usergraph_directory_state',
      help: 'Directory health as Directory.health reports it: 0 UP, 1 DEGRADED, 2 DOWN (circuit open or credentials rejected).',
      labelNames: ['directory', 'provider'],
      registers: [this.registry],
      collect() {
        for (const { directory, provider, guard } of guards) {
          this.set({ directory, provider }, STATE_VALUE[guard.health().state]);
        }
      },
    });
    new Gauge({
      name: 'usergraph_outbound_rate',
      help: 'The rate (requests/s) usergraph sends to the directory: fixed, or learnt from its 429s.',
      labelNames: ['directory', 'provider'],
      registers: [this.registry],
      collect() {
        for (const { directory, provider, guard } of guards)
          this.set({ directory, provider }, guard.rate.current);
      },
    });
    new Gauge({
      name: 'usergraph_outbound_rate_ceiling',
      help: 'The most the outbound rate may reach: a documented quota or the configured ceiling.',
      labelNames: ['directory', 'provider'],
      registers: [this.registry],
      collect() {
        for (const { directory, provider, guard } of guards)
          this.set({ directory, provider }, guard.rate.state().ceiling);
      },
    });
    new Gauge({
      name: 'usergraph_limiter_queue_depth',
      help: 'Calls waiting for the directory’s outbound limiter.',
      labelNames: ['directory', 'provider'],
      registers: [this.registry],
      collect() {
        for (const { directory, provider, guard } of guards)
          this.set({ directory, provider }, guard.limiter.waiting);
      },
    });
  }

  /** The observer a directory's guard reports to. */
  observer(directory: string, provider: ProviderKind): GuardObserver {
    const labels = { directory, provider };
    return {
      attempt: this.attempts.forDirectory(directory, provider),
      retry: (route) => this.retries.inc({ ...labels, route }),
      retryBudgetRefused: () => this.retryRefusals.inc(labels),
      holdOff: () => this.holdOffs.inc(labels),
      circuit: (_from, to) => this.transitions.inc({ ...labels, to }),
      queued: (_depth, waited) => this.waits.observe(labels, waited),
      error: (code) => this.directoryErrors.inc({ ...labels, code }),
    };
  }

  /** A directory whose circuit and queue the gauges read at scrape time. */
  /** Reports `guard`'s figures as `directory`'s (a reloaded directory's new guard replaces its old one). */
  watch(directory: string, provider: ProviderKind, guard: DirectoryGuard): void {
    const index = this.guards.findIndex((watched) => watched.directory === directory);
    if (index >= 0) this.guards.splice(index, 1);
    this.guards.push({ directory, provider, guard });
  }

  operation(
    name: string | null | undefined,
    outcome: OperationOutcome,
    codes: readonly string[],
    seconds: number | null,
    calls: ReadonlyMap<string, number> | null,
  ): void {
    const operation = this.label(name);
    this.operations.inc({ operation, outcome });
    for (const code of codes) this.errors.inc({ operation, code });
    if (seconds !== null) this.operationDuration.observe({ operation }, seconds);
    for (const [directory, count] of calls ?? [])
      this.operationCalls.observe({ operation, directory }, count);
  }

  cacheLookup(directory: string, provider: ProviderKind, fact: string, result: string, count: number): void {
    this.cacheLookups.inc({ directory, provider, fact, result }, count);
  }

  cacheError(directory: string, provider: ProviderKind): void {
    this.cacheErrors.inc({ directory, provider });
  }

  /** One account an action touched (or, in a dry run, planned to). */
  action(action: string, outcome: string): void {
    this.actions.inc({ action, outcome: outcome.toLowerCase() });
  }

  /** One poll of a directory's change feed, and the changes it appended. */
  feedPoll(directory: string, outcome: string, changes: number): void {
    this.feedPolls.inc({ directory, outcome });
    if (changes > 0) this.feedChanges.inc({ directory }, changes);
  }

  /** Webhook attempts to `endpoint` by outcome. */
  webhookAttempt(endpoint: string, outcome: string, count = 1): void {
    this.webhookDeliveries.inc({ endpoint, outcome }, count);
  }

  /** Where an endpoint this replica delivers to stands; `null`: it no longer delivers to it. */
  webhookStanding(endpoint: string, standing: { lag: number; backlog: number; dead: number } | null): void {
    if (standing === null) {
      for (const gauge of [this.webhookLag, this.webhookBacklog, this.webhookDead])
        gauge.remove({ endpoint });
      return;
    }
    this.webhookLag.set({ endpoint }, standing.lag);
    this.webhookBacklog.set({ endpoint }, standing.backlog);
    this.webhookDead.set({ endpoint }, standing.dead);
  }

  /** Subscriptions open on this replica (read at scrape time). */
  watchSubscriptions(open: () => number): void {
    new Gauge({
      name: 'usergraph_feed_subscriptions',
      help: 'Subscriptions (`subscription { changes }`) open on this replica.',
      registers: [this.registry],
      collect() {
        this.set(open());
      },
    });
  }

  configReload(outcome: 'applied' | 'refused'): void {
    this.configReloads.inc({ outcome });
  }

  quotaFallback(directory: string, provider: ProviderKind): void {
    this.quotaFallbacks.inc({ directory, provider });
  }

  /** Whether this replica reaches Redis now (read at scrape time). */
  watchShared(connected: () => boolean): void {
    new Gauge({
      name: 'usergraph_redis_connected',
      help: 'Whether this replica reaches Redis: 1 yes, 0 no (quotas then fall back to its own share).',
      registers: [this.registry],
      collect() {
        this.set(connected() ? 1 : 0);
      },
    });
  }

  refused(limit: string): void {
    this.refusals.inc({ limit });
  }

  private label(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    const clean = name.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 64);
    if (this.names.has(clean)) return clean;
    if (this.names.size >= OPERATION_NAMES) return 'other';
    this.names.add(clean);
    return clean;
  }
}
