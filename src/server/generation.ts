import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { ActionStore } from '../actions/action-store.js';
import { type Config, type DirectoryConfig, feedSettings } from '../config/config.js';
import type { DirectoryRegistry } from '../directory/registry.js';
import { loadManifests } from '../documents/manifest-files.js';
import { TrustedDocumentsError } from '../documents/trusted-documents.js';
import { CacheFollower } from '../feed/cache-follower.js';
import type { ChangeStream } from '../feed/change-stream.js';
import { FeedPoller } from '../feed/poller.js';
import type { SubscriptionSlots } from '../feed/subscription-slots.js';
import type { Metrics } from '../observability/metrics.js';
import type { ReloadOutcome } from '../plugins/access/use-admin-reload.js';
import type { ServingState } from '../plugins/observability/use-readiness.js';
import type { SharedState } from '../shared/shared-state.js';
import type { WebhookAdmin } from '../webhooks/webhook-store.js';
import { type App, createApp } from './app.js';
import type { Demo } from './demo.js';
import { BuiltDirectories, buildDirectories } from './directories.js';
import type { ProcessConfig } from './process-config.js';
import { securityFrom } from './security.js';

/** What lives for the whole process, whatever config is current. */
export interface ProcessServices {
  readonly log: Logger;
  readonly metrics?: Metrics;
  readonly shared?: SharedState;
  readonly tracer?: Tracer;
  readonly serving: ServingState;
  /** What usergraph remembers of its writes, across reloads (Redis when configured). */
  readonly actionStore: ActionStore;
  /** The change streams (Redis when configured: one poller per directory per cluster), across reloads; null: no feed. */
  readonly feedStream: ChangeStream | null;
  /** Open subscriptions per principal, across reloads. */
  readonly feedSlots: SubscriptionSlots;
  /** Aborted when the process drains: open subscriptions complete. */
  readonly feedClosing: AbortSignal;
  /** The webhooks API's machinery (null: webhooks are off). */
  readonly webhooks?: WebhookAdmin | null;
  readonly demo: Demo | null;
  /** Reloads the config (SIGHUP, or POST /admin/reload where it is on). */
  readonly reload: () => Promise<ReloadOutcome>;
}

/** One config's directories and app. */
export interface Generation {
  readonly settings: ProcessConfig;
  readonly configs: readonly DirectoryConfig[];
  readonly registry: DirectoryRegistry;
  readonly app: App;
  /** This generation's pollers and cache followers (started by main.ts, stopped when replaced). */
  readonly feed: { start(): void; stop(): Promise<void> } | null;
}

/**
 * Builds the directories and the app for `settings`. A directory whose config is the same as in
 * `previous` is kept as it is (its breaker, learnt rate, token and cache go on); every other one is new.
 * Throws GenerationError with every problem (manifests that do not read or validate).
 */
export function buildGeneration(
  settings: ProcessConfig,
  services: ProcessServices,
  previous: Generation | null,
): Generation {
  const file = settings.source.kind === 'file' ? settings.source.config : null;
  const configs = services.demo?.directories ?? file?.directories ?? [];
  const manifests =
    file === null || file.trustedDocuments.mode === 'off'
      ? null
      : loadManifests(file.trustedDocuments.manifests, file.source);
  if (manifests !== null && manifests.problems.length > 0) throw new GenerationError(manifests.problems);
  const feedOptions = feedConfig(file);
  const registry = buildDirectories(
    configs,
    { metrics: services.metrics, shared: services.shared },
    previous === null ? undefined : new BuiltDirectories(previous.configs, previous.registry),
  );
  try {
    const app = createApp({
      directories: registry,
      exampleQuery: services.demo?.exampleQuery,
      federation: settings.federation,
      subgraphAuthDirectives: file?.subgraphAuthDirectives,
      subgraphCompositeKey: file?.subgraphCompositeKey,
      requestTimeoutMs: file?.requestTimeoutMs,
      maxBodyBytes: settings.server.maxBodyBytes,
      jit: file?.jit,
      log: services.log,
      limits: file?.limits,
      cursorSecret: file?.cursorSecret,
      previousCursorSecrets: file?.previousCursorSecrets,
      metrics: services.metrics,
      metricsEndpoint: file?.metrics.port === undefined,
      tracer: services.tracer,
      serving: services.serving,
      shared: services.shared,
      actions: {
        store: services.actionStore,
        keepMs: (file?.actions.idempotencySeconds ?? 86_400) * 1000,
      },
      ...(services.feedStream === null
        ? {}
        : {
            feed: {
              stream: services.feedStream,
              slots: services.feedSlots,
              closing: services.feedClosing,
              webhooks: services.webhooks ?? null,
              limits: {
                subscriptionsPerPrincipal: feedOptions.subscriptionsPerPrincipal,
                eventsPerSecond: feedOptions.eventsPerSecond,
              },
            },
          }),
      ...(file?.http.adminReload === true ? { reload: services.reload } : {}),
      ...(manifests === null || file === null || file.trustedDocuments.mode === 'off'
        ? {}
        : { trustedDocuments: { mode: file.trustedDocuments.mode, entries: manifests.entries } }),
      // Demo mode is open (on loopback) for the first minute; a config file says how callers authenticate.
      security:
        file === null
          ? { graphiql: true, introspection: true }
          : securityFrom(file, settings.production, services.log),
    });
    return { settings, configs, registry, app, feed: feedRunner(registry, services, feedOptions) };
  } catch (error) {
    if (error instanceof TrustedDocumentsError) throw new GenerationError(error.problems);
    throw error;
  }
}

export class GenerationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`${problems.length} problem(s) in the configuration`);
  }
}

/**
 * The HTTP listener for whichever generation is current. A request runs to its end on the generation
 * it arrived in; a replaced generation's own directories (those the new one did not keep) are closed
 * once its last request has ended.
 */
export class CurrentGeneration {
  private inFlight = new Map<Generation, number>();
  private retired = new Set<Generation>();

  constructor(private generation: Generation) {}

  get current(): Generation {
    return this.generation;
  }

  readonly listener: RequestListener = (request: IncomingMessage, response: ServerResponse) => {
    const generation = this.generation;
    this.inFlight.set(generation, (this.inFlight.get(generation) ?? 0) + 1);
    response.once('close', () => {
      const left = (this.inFlight.get(generation) ?? 1) - 1;
      this.inFlight.set(generation, left);
      if (left === 0 && this.retired.has(generation)) void this.close(generation);
    });
    generation.app.http.listener(request, response);
  };

  /** Makes `next` current; the old one is closed when idle. */
  swap(next: Generation): void {
    const old = this.generation;
    this.generation = next;
    this.retired.add(old);
    if ((this.inFlight.get(old) ?? 0) === 0) void this.close(old);
  }

  private async close(generation: Generation): Promise<void> {
    this.retired.delete(generation);
    this.inFlight.delete(generation);
    const kept = new Set(this.generation.registry.providers);
    await Promise.all(
      generation.registry.providers
        .filter((provider) => !kept.has(provider))
        .map((provider) => provider.close?.()),
    );
  }
}

/** Settings a reload cannot change in a running process (they shape the listening socket or the process). */
export function needsRestart(before: ProcessConfig, after: ProcessConfig): string[] {
  const file = (settings: ProcessConfig) => (settings.source.kind === 'file' ? settings.source.config : null);
  const changed: string[] = [];
  const differs = (a: unknown, b: unknown) => JSON.stringify(a) !== JSON.stringify(b);
  if (before.port !== after.port || before.host !== after.host) changed.push('PORT/HOST');
  if (differs(before.server, after.server)) changed.push('server');
  if (differs(file(before)?.redis, file(after)?.redis)) changed.push('redis');
  if (differs(file(before)?.metrics, file(after)?.metrics)) changed.push('metrics');
  if (differs(before.tracing, after.tracing)) changed.push('OTEL_*');
  // The change streams and the webhooks machinery live for the process (main.ts builds them once); the
  // pollers' intervals and the subscription limits follow each reload.
  const streams = (settings: ProcessConfig) => {
    const feed = feedConfig(file(settings));
    return [feed.enabled, feed.maxLength, feed.maxAgeSeconds];
  };
  if (differs(streams(before), streams(after))) changed.push('feed.enabled/maxLength/maxAgeSeconds');
  if (differs(file(before)?.webhooks, file(after)?.webhooks)) changed.push('webhooks');
  return changed;
}

/** The feed's settings: the config file's, or in demo mode (no file) its defaults. */
export function feedConfig(file: Config | null | undefined): Config['feed'] {
  return file?.feed ?? feedSettings.parse({});
}

/** The pollers and cache followers of a generation's directories, over the process's streams. */
function feedRunner(
  registry: DirectoryRegistry,
  services: ProcessServices,
  settings: Config['feed'],
): Generation['feed'] {
  const stream = services.feedStream;
  if (stream === null) return null;
  const poller = new FeedPoller(
    registry,
    stream,
    {
      minIntervalMs: settings.minIntervalMs,
      maxIntervalMs: settings.maxIntervalMs,
      leaseMs: settings.leaseSeconds * 1000,
    },
    {
      failed: (directory, error) =>
        services.log.warn({ directory, error: String(error) }, 'change feed poll failed'),
      polled: (directory, outcome, changes) => services.metrics?.feedPoll(directory, outcome, changes),
    },
  );
  const follower = new CacheFollower(registry, stream);
  return {
    start() {
      poller.start();
      follower.start();
    },
    async stop() {
      await Promise.all([poller.stop(), follower.stop()]);
    },
  };
}
