import type { Logger } from 'pino';
import { type Config, webhookSettings } from '../config/config.js';
import type { ChangeStream } from '../feed/change-stream.js';
import type { Metrics } from '../observability/metrics.js';
import type { SharedState } from '../shared/shared-state.js';
import { MemoryWebhookStore } from '../webhooks/memory-webhook-store.js';
import { RedisWebhookStore } from '../webhooks/redis-webhook-store.js';
import { WebhookSender } from '../webhooks/sender.js';
import { WebhookDispatcher } from '../webhooks/webhook-dispatcher.js';
import type { WebhookAdmin } from '../webhooks/webhook-store.js';

/** The webhooks of a process: the API's machinery and the dispatcher (null when webhooks are off). */
export interface Webhooks {
  readonly admin: WebhookAdmin;
  readonly dispatcher: WebhookDispatcher;
  close(): Promise<void>;
}

/**
 * Webhooks over the change streams, kept where the process keeps its shared state (Redis, else memory).
 * Their settings are read at start: a reload that changes `webhooks:` needs a restart.
 */
export function createWebhooks(
  file: Config | null,
  stream: ChangeStream | null,
  services: { readonly shared?: SharedState; readonly metrics?: Metrics; readonly log: Logger },
): Webhooks | null {
  const settings = file?.webhooks ?? webhookSettings.parse({});
  if (stream === null || !settings.enabled) return null;
  const store =
    services.shared === undefined ? new MemoryWebhookStore() : new RedisWebhookStore(services.shared);
  // Demo mode serves this machine only: a receiver on it (http://localhost:…) is what one tries first.
  const demo = file === null;
  const policy = {
    allowHttp: demo || settings.allowHttp,
    allowPrivateNetworks: demo || settings.allowPrivateNetworks,
  };
  const sender = new WebhookSender(policy, settings.timeoutMs);
  const { metrics, log } = services;
  const dispatcher = new WebhookDispatcher(
    store,
    stream,
    sender,
    {
      retryInitialMs: settings.retryInitialMs,
      retryMaxMs: settings.retryMaxMs,
      retryForMs: settings.retryForSeconds * 1000,
      concurrency: settings.concurrencyPerEndpoint,
      maxBacklog: settings.maxBacklog,
      breakerFailures: settings.breakerFailures,
      breakerOpenMs: settings.breakerOpenSeconds * 1000,
      leaseMs: settings.leaseSeconds * 1000,
      scanMs: 1_000,
    },
    {
      attempted: (endpoint, outcome, count) => metrics?.webhookAttempt(endpoint, outcome, count),
      standing: (endpoint, lag, backlog, dead) => metrics?.webhookStanding(endpoint, { lag, backlog, dead }),
      released: (endpoint) => metrics?.webhookStanding(endpoint, null),
      skipped: (endpoint, directory) =>
        log.warn({ endpoint, directory }, 'webhook: the change stream no longer held changes not yet queued'),
      // The error's kind only: a store error may quote a key, never a secret or a body.
      failed: (endpoint, error) =>
        log.warn(
          { endpoint, error: error instanceof Error ? error.name : 'unknown' },
          'webhook delivery loop failed',
        ),
    },
  );
  return {
    admin: {
      store,
      policy,
      maxEndpoints: settings.maxEndpoints,
      overlapMs: settings.rotationOverlapSeconds * 1000,
    },
    dispatcher,
    async close() {
      await dispatcher.stop();
      await sender.close();
    },
  };
}
