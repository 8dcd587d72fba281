// The only file with side effects: read the process config (a config file, or demo mode), build the
// directories and the app, listen, reload on SIGHUP, and shut down cleanly on SIGTERM/SIGINT.
import type { AddressInfo } from 'node:net';
import { EnvHttpProxyAgent, setGlobalDispatcher } from 'undici';
import type { ActionStore } from './actions/action-store.js';
import { MemoryActionStore } from './actions/memory-action-store.js';
import { RedisActionStore } from './actions/redis-action-store.js';
import { MemoryChangeStream } from './feed/memory-change-stream.js';
import { RedisChangeStream } from './feed/redis-change-stream.js';
import { SubscriptionSlots } from './feed/subscription-slots.js';
import { proxyConfigured } from './http/dispatcher.js';
import { createLog, prettyDestination } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { createMetricsServer } from './observability/metrics-server.js';
import { startTracing } from './observability/tracing.js';
import type { ReloadOutcome } from './plugins/access/use-admin-reload.js';
import { AUTH_OFF_WARNING, type ServingState } from './plugins/observability/use-readiness.js';
import {
  buildGeneration,
  CurrentGeneration,
  feedConfig,
  GenerationError,
  needsRestart,
  type ProcessServices,
} from './server/generation.js';
import { attachGraphqlWs } from './server/graphql-ws.js';
import { createHttpServer } from './server/http-server.js';
import { loadProcessConfig, type ProcessConfig } from './server/process-config.js';
import { closeGracefully } from './server/shutdown.js';
import { createWebhooks } from './server/webhook-service.js';
import { SharedState } from './shared/shared-state.js';

async function main(settings: ProcessConfig): Promise<void> {
  const { source } = settings;
  // The token issuer's discovery, keys and introspection use Node's fetch: through the same proxy.
  if (proxyConfigured()) setGlobalDispatcher(new EnvHttpProxyAgent());
  const demo = source.kind === 'demo' ? await (await import('./server/demo.js')).startDemo() : null;
  const directories = demo?.directories ?? (source.kind === 'file' ? source.config.directories : []);
  const file = source.kind === 'file' ? source.config : null;
  // Human-readable in demo mode, one JSON object per line otherwise.
  const log = createLog({
    level: settings.logLevel,
    ...(source.kind === 'demo' ? { destination: await prettyDestination() } : {}),
  });
  const metrics = file === null || file.metrics.enabled ? new Metrics() : undefined;
  const tracing = settings.tracing === null ? null : startTracing(settings.tracing);
  const shared = file?.redis === undefined ? undefined : new SharedState(file.redis);
  if (shared !== undefined) {
    metrics?.watchShared(() => shared.ready);
    shared.on('up', () =>
      log.info('redis reachable: outbound quotas and hold-offs are shared by the replicas'),
    );
    shared.on('down', () =>
      log.warn(
        `redis unreachable: each replica keeps to 1/${shared.expectedReplicas} of every directory's quota until it is back`,
      ),
    );
  }
  const serving: ServingState = { draining: false };
  let reloading: Promise<ReloadOutcome> | null = null;
  const actionStore: ActionStore =
    shared === undefined ? new MemoryActionStore() : new RedisActionStore(shared);
  const feed = feedConfig(file);
  const retention = { maxLength: feed.maxLength, maxAgeMs: feed.maxAgeSeconds * 1000 };
  // With Redis the replicas share one stream per directory and elect one poller for it; without, a
  // replica is its own cluster (its own poller per directory).
  const feedStream = !feed.enabled
    ? null
    : shared === undefined
      ? new MemoryChangeStream(retention)
      : new RedisChangeStream(shared, retention);
  const webhooks = createWebhooks(file, feedStream, { shared, metrics, log });
  const feedClosing = new AbortController();
  const feedSlots = new SubscriptionSlots();
  metrics?.watchSubscriptions(() => feedSlots.size);
  const services: ProcessServices = {
    actionStore,
    feedStream,
    feedSlots,
    webhooks: webhooks?.admin ?? null,
    feedClosing: feedClosing.signal,
    log,
    metrics,
    shared,
    tracer: tracing?.tracer,
    serving,
    demo,
    // One reload at a time; a second asked for meanwhile gets the first's outcome.
    reload: () => {
      reloading ??= reload().finally(() => {
        reloading = null;
      });
      return reloading;
    },
  };
  const generations = new CurrentGeneration(buildGeneration(settings, services, null));
  generations.current.feed?.start();
  webhooks?.dispatcher.start();
  const reload = async (): Promise<ReloadOutcome> => {
    const before = generations.current;
    if (before.settings.source.kind !== 'file') {
      log.info('reload asked for: demo mode has no config file to read');
      return { ok: false, problems: ['demo mode has no config file'] };
    }
    const loaded = loadProcessConfig(argv, process.env, process.cwd());
    try {
      if (!loaded.ok) throw new GenerationError(loaded.problems);
      const next = buildGeneration(loaded.config, services, before);
      generations.swap(next);
      // The new directories' pollers take over from the old ones (the leases pass on the same stream).
      await before.feed?.stop();
      next.feed?.start();
      const restart = needsRestart(before.settings, loaded.config);
      if (restart.length > 0)
        log.warn(`config reloaded; these changes need a restart: ${restart.join(', ')}`);
      else log.info('config reloaded');
      metrics?.configReload('applied');
      return { ok: true, changed: restart.length > 0 ? [`restart needed for: ${restart.join(', ')}`] : [] };
    } catch (error) {
      if (!(error instanceof GenerationError)) throw error;
      // Paths and reasons only: the config validation never quotes a value.
      log.warn({ problems: error.problems }, 'config reload refused: the previous config keeps serving');
      metrics?.configReload('refused');
      return { ok: false, problems: error.problems };
    }
  };
  process.on('SIGHUP', () => void services.reload());
  const server = createHttpServer(generations.listener, settings.server);
  const closeWebSocket =
    file === null || file.http.webSocket
      ? attachGraphqlWs(server, (request) => Promise.resolve(generations.current.app.fetch(request)), {
          maxPayload: settings.server.maxBodyBytes,
          limits: file?.limits,
        })
      : null;
  await new Promise<void>((resolve) => server.listen(settings.port, settings.host, resolve));
  const { port } = server.address() as AddressInfo;
  const metricsServer =
    metrics !== undefined && file?.metrics.port !== undefined ? createMetricsServer(metrics) : null;
  if (metricsServer !== null) {
    await new Promise<void>((resolve) => metricsServer.listen(file?.metrics.port, settings.host, resolve));
    log.info(
      `metrics at http://${hostForUrl(settings.host)}:${(metricsServer.address() as AddressInfo).port}/metrics`,
    );
  }

  log.info(
    source.kind === 'demo'
      ? `usergraph demo: ${directories.length} simulated directories (${directories.map((d) => `${d.name}: ${d.provider}`).join(', ')})`
      : `usergraph: ${directories.length} directories from ${source.path}`,
  );
  log.info(
    `GraphiQL and GraphQL endpoint${settings.federation ? ' (Apollo Federation 2 subgraph)' : ''}: http://${hostForUrl(settings.host)}:${port}/graphql`,
  );
  if (settings.tracing !== null) {
    log.info(
      `tracing on: OTLP/HTTP from the OTEL_EXPORTER_OTLP_* settings, sampler ${settings.tracing.sampler}${settings.tracing.sampler.endsWith('traceidratio') ? ` (${settings.tracing.ratio})` : ''}, service ${settings.tracing.serviceName}`,
    );
  }
  if (source.kind === 'demo') {
    log.info(
      'usergraph demo: open to anyone on this machine, listening on loopback only; set HOST to listen elsewhere.',
    );
  } else if (source.config.auth.mode === 'none') {
    log.warn(`${AUTH_OFF_WARNING}.`);
  }
  if (file !== null && file.cursorSecret === undefined) {
    log.warn(
      'no cursorSecret in the config: list cursors are signed with a key of this process only, so they stop working after a restart and on other replicas.',
    );
  }

  // The start-up lines now, not with the first 4 KiB of access lines.
  log.flush();

  const stopping = { now: false };
  const stop = async (signal: string) => {
    if (stopping.now) return;
    stopping.now = true;
    // Readiness fails first, while requests are still served, so the load balancer stops sending
    // before the server stops accepting.
    serving.draining = true;
    const drainMs = settings.server.drainSeconds * 1000;
    if (drainMs > 0) {
      log.info(`${signal} received, draining: readiness fails, requests still served for ${drainMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, drainMs));
    }
    log.info(`${signal} received, finishing in-flight requests (grace ${settings.shutdownGraceMs} ms)`);
    // Give the poll leases back while the last requests finish: another replica takes over at once.
    // Open subscriptions complete now (they would hold the grace period): clients resume elsewhere.
    const feedStopped = Promise.all([generations.current.feed?.stop(), webhooks?.close()]);
    feedClosing.abort();
    if (!(await closeGracefully(server, settings.shutdownGraceMs)))
      log.info('grace period over, closed the rest');
    metricsServer?.close();
    await closeWebSocket?.();
    await feedStopped;
    await tracing?.shutdown().catch(() => undefined);
    feedStream?.close();
    await generations.current.registry.close();
    await shared?.close();
    await demo?.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

function hostForUrl(host: string | undefined): string {
  if (host === undefined || host === '127.0.0.1') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

function configurationProblems(problems: readonly string[]): never {
  console.error(`usergraph: ${problems.length} problem(s) in the configuration:`);
  for (const problem of problems) console.error(`  - ${problem}`);
  process.exit(2);
}

const loaded = loadProcessConfig(process.argv.slice(2), process.env, process.cwd());
if (!loaded.ok) configurationProblems(loaded.problems);
const argv = process.argv.slice(2);
if (argv.includes('--check')) {
  const { printChecks, runChecks } = await import('./server/check.js');
  const lines = await runChecks(loaded.config);
  console.log(printChecks(lines));
  process.exit(lines.some((line) => line.ok === false) ? 1 : 0);
}
main(loaded.config).catch((error: unknown) => {
  if (error instanceof GenerationError) configurationProblems(error.problems);
  console.error('usergraph: failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
