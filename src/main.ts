// The only file with side effects: read the process config (a config file, or demo mode), build the
// directories and the app, listen, and shut down cleanly on SIGTERM/SIGINT.
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { buildDirectories } from './directories.js';
import { loadManifests } from './documents/manifest-files.js';
import { TrustedDocumentsError } from './documents/trusted-documents.js';
import { createHttpServer } from './http-server.js';
import { createLog } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { createMetricsServer } from './observability/metrics-server.js';
import { startTracing } from './observability/tracing.js';
import { AUTH_OFF_WARNING, type ServingState } from './plugins/use-readiness.js';
import { loadProcessConfig, type ProcessConfig } from './process-config.js';
import { securityFrom } from './security.js';
import { SharedState } from './shared/shared-state.js';
import { closeGracefully } from './shutdown.js';

async function main(settings: ProcessConfig): Promise<void> {
  const { source } = settings;
  const demo = source.kind === 'demo' ? await (await import('./demo.js')).startDemo() : null;
  const directories = demo?.directories ?? (source.kind === 'file' ? source.config.directories : []);
  const file = source.kind === 'file' ? source.config : null;
  // Human-readable in demo mode, one JSON object per line otherwise.
  const log = createLog({ level: settings.logLevel, pretty: source.kind === 'demo' });
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
  const manifests =
    file === null || file.trustedDocuments.mode === 'off'
      ? null
      : loadManifests(file.trustedDocuments.manifests, file.source);
  if (manifests !== null && manifests.problems.length > 0) configurationProblems(manifests.problems);
  const registry = buildDirectories(directories, { metrics, shared });
  const serving: ServingState = { draining: false };
  const app = createApp({
    directories: registry,
    exampleQuery: demo?.exampleQuery,
    federation: settings.federation,
    subgraphAuthDirectives: file?.subgraphAuthDirectives,
    subgraphCompositeKey: file?.subgraphCompositeKey,
    requestTimeoutMs: file?.requestTimeoutMs,
    maxBodyBytes: settings.server.maxBodyBytes,
    jit: file?.jit,
    log,
    limits: file?.limits,
    cursorSecret: file?.cursorSecret,
    metrics,
    metricsEndpoint: file?.metrics.port === undefined,
    tracer: tracing?.tracer,
    serving,
    shared,
    ...(manifests === null || file === null || file.trustedDocuments.mode === 'off'
      ? {}
      : { trustedDocuments: { mode: file.trustedDocuments.mode, entries: manifests.entries } }),
    // Demo mode is open (on loopback) for the first minute; a config file says how callers authenticate.
    security:
      file === null ? { graphiql: true, introspection: true } : securityFrom(file, settings.production, log),
  });
  const server = createHttpServer(app, settings.server);
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
    if (!(await closeGracefully(server, settings.shutdownGraceMs)))
      log.info('grace period over, closed the rest');
    metricsServer?.close();
    await tracing?.shutdown().catch(() => undefined);
    await registry.close();
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
main(loaded.config).catch((error: unknown) => {
  if (error instanceof TrustedDocumentsError) configurationProblems(error.problems);
  console.error('usergraph: failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
