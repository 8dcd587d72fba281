import { randomUUID } from 'node:crypto';
import type { ChangeStream, Lease } from '../feed/change-stream.js';
import { sleep } from '../feed/sleep.js';
import { messageId, webhookBody } from './payload.js';
import type { WebhookSender } from './sender.js';
import { signedHeaders } from './signing.js';
import type { DeadLetter, Delivery, WebhookEndpoint } from './webhook-model.js';
import { backlogOf, type WebhookStore } from './webhook-store.js';

export interface DispatchSettings {
  /** The first retry's delay; each next one doubles, up to `retryMaxMs`, jittered down by up to half. */
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  /** How long after it was queued a message is retried before it becomes a dead letter. */
  readonly retryForMs: number;
  /** Deliveries to one endpoint in flight at once (one per directory at most: order is per directory). */
  readonly concurrency: number;
  /** Messages one directory's queue holds for an endpoint; past it, new ones become dead letters. */
  readonly maxBacklog: number;
  /** Consecutive failed attempts after which an endpoint is left alone for `breakerOpenMs`. */
  readonly breakerFailures: number;
  readonly breakerOpenMs: number;
  /** An endpoint's lease: another replica takes its deliveries over this long after its holder died. */
  readonly leaseMs: number;
  /** How often a replica looks for endpoints nobody delivers to. */
  readonly scanMs: number;
}

export type DeliveryOutcome = 'delivered' | 'failed' | 'dead' | 'overflow';

/** Told of each attempt (metrics), of each endpoint's lag, and of failures of the store (the log). */
export interface DispatchObserver {
  attempted?(endpoint: string, outcome: DeliveryOutcome, count?: number): void;
  /** Seconds the oldest waiting message has waited (0: none), messages waiting, dead letters. */
  standing?(endpoint: string, lagSeconds: number, backlog: number, dead: number): void;
  /** This replica no longer delivers to `endpoint` (its gauges go). */
  released?(endpoint: string): void;
  /** A stream gap: the stream dropped changes before they were queued (a holder away past its retention). */
  skipped?(endpoint: string, directory: string): void;
  failed?(endpoint: string, error: unknown): void;
}

/** Stream entries queued per pull. */
const PAGE = 100;
/** The shortest time between two reports of an endpoint's gauges (scrapes come every 15 s or more). */
const REPORT_MS = 1_000;

/**
 * Delivers webhooks: on every replica a scan finds endpoints, and for each only the holder of its lease
 * (on the change streams' leases) moves the stream's new entries into the endpoint's queues and sends
 * each directory's head, in order, until it is answered 2xx or its retry period ends (a dead letter).
 * A replica that dies mid-delivery leaves the head queued: the next holder sends it again (at least once;
 * receivers dedupe by `webhook-id`).
 */
export class WebhookDispatcher {
  readonly holder = randomUUID();
  private readonly stopped = new AbortController();
  private readonly running = new Map<string, Promise<void>>();
  private readonly leases = new Map<string, Lease>();
  private scanning: Promise<void> | null = null;
  /** When each endpoint's gauges were last reported (epoch ms). */
  private readonly reported = new Map<string, number>();

  constructor(
    private readonly store: WebhookStore,
    private readonly stream: ChangeStream,
    private readonly sender: WebhookSender,
    private readonly settings: DispatchSettings,
    private readonly observer: DispatchObserver = {},
  ) {}

  start(): void {
    this.scanning ??= this.scan();
  }

  /** Whether this replica delivers to `endpoint` now. */
  holds(endpoint: string): boolean {
    return this.leases.has(endpoint);
  }

  /** Stops; `handOver: false` keeps the leases until they lapse, as a replica that died would. */
  async stop({ handOver = true }: { handOver?: boolean } = {}): Promise<void> {
    this.stopped.abort();
    await this.scanning;
    await Promise.all(this.running.values());
    if (handOver) {
      await Promise.all(
        [...this.leases.values()].map((lease) => this.stream.release(lease).catch(() => undefined)),
      );
    }
    this.leases.clear();
  }

  private async scan(): Promise<void> {
    const signal = this.stopped.signal;
    while (!signal.aborted) {
      try {
        for (const endpoint of await this.store.endpoints()) {
          if (this.running.has(endpoint.id)) continue;
          this.running.set(
            endpoint.id,
            this.run(endpoint.id).finally(() => this.running.delete(endpoint.id)),
          );
        }
      } catch (error) {
        this.observer.failed?.('*', error);
      }
      await sleep(this.settings.scanMs, signal);
    }
  }

  /** Delivers to one endpoint for as long as this replica holds its lease. */
  private async run(id: string): Promise<void> {
    const signal = this.stopped.signal;
    let failures = 0;
    let openUntil = 0;
    try {
      while (!signal.aborted) {
        let pause = this.settings.leaseMs / 3;
        let cursors: Map<string, number>;
        try {
          const endpoint = await this.store.endpoint(id);
          if (endpoint === null) return;
          const lease = await this.stream.lease(
            leaseName(id),
            this.holder,
            this.settings.leaseMs,
            this.leases.get(id) ?? null,
          );
          if (lease === null) return;
          this.leases.set(id, lease);
          cursors = new Map();
          let pulled = 0;
          for (const directory of endpoint.directories)
            pulled += await this.pull(endpoint, directory, cursors);
          const now = Date.now();
          const heads = (
            await Promise.all(endpoint.directories.map((directory) => this.store.head(id, directory)))
          ).filter((head): head is Delivery => head !== null);
          let delivered = 0;
          if (now >= openUntil) {
            const due = heads.filter((head) => head.nextAttemptAt <= now);
            for (let at = 0; at < due.length && !signal.aborted; at += this.settings.concurrency) {
              const outcomes = await Promise.all(
                due.slice(at, at + this.settings.concurrency).map((head) => this.attempt(endpoint, head)),
              );
              for (const outcome of outcomes) {
                if (outcome === 'delivered') {
                  delivered += 1;
                  failures = 0;
                } else if (outcome !== null) failures += 1;
              }
            }
            if (failures >= this.settings.breakerFailures) {
              openUntil = Date.now() + this.settings.breakerOpenMs;
              failures = 0;
            }
          }
          await this.report(endpoint, heads);
          if (delivered > 0 || pulled > 0) continue;
          const waiting = heads.map((head) => head.nextAttemptAt);
          const next = Math.max(openUntil, Math.min(...waiting, Number.POSITIVE_INFINITY));
          pause = Math.max(0, Math.min(next - Date.now(), this.settings.leaseMs / 3));
        } catch (error) {
          this.observer.failed?.(id, error);
          await sleep(1_000, signal);
          continue;
        }
        // Wake early when a directory's stream grows.
        await Promise.race([
          sleep(pause, signal),
          ...[...cursors].map(([directory, seq]) => this.stream.wait(directory, seq, pause, signal)),
        ]);
      }
    } finally {
      if (!signal.aborted) this.leases.delete(id);
      this.reported.delete(id);
      this.observer.released?.(id);
    }
  }

  /** Moves the stream's next entries for `directory` into the endpoint's queue; how many. */
  private async pull(
    endpoint: WebhookEndpoint,
    directory: string,
    cursors: Map<string, number>,
  ): Promise<number> {
    const from = await this.store.cursor(endpoint.id, directory);
    const seq = from ?? (await this.stream.read(directory, 0, 0)).last;
    const read = await this.stream.read(directory, seq, PAGE);
    cursors.set(directory, seq);
    if (read.expired) {
      // The stream no longer holds what came after the cursor: say so, and go on from its newest.
      this.observer.skipped?.(endpoint.id, directory);
      await this.store.enqueue(endpoint.id, directory, from, read.last, [], []);
      cursors.set(directory, read.last);
      return 0;
    }
    const last = read.entries.at(-1)?.seq;
    if (last === undefined) return 0;
    const now = Date.now();
    const kinds = endpoint.kinds === null ? null : new Set(endpoint.kinds);
    const messages: Delivery[] = read.entries
      .filter((entry) => kinds === null || kinds.has(entry.change.kind))
      .map((entry) => ({
        messageId: messageId(endpoint.id, entry.change),
        directory,
        body: webhookBody(entry.change),
        queuedAt: now,
        attempts: 0,
        nextAttemptAt: now,
        lastError: null,
      }));
    const room = Math.max(0, this.settings.maxBacklog - (await this.store.backlog(endpoint.id, directory)));
    const overflow: DeadLetter[] = messages
      .slice(room)
      .map((message) => ({ ...message, lastError: 'BACKLOG_FULL', deadAt: now }));
    if (await this.store.enqueue(endpoint.id, directory, from, last, messages.slice(0, room), overflow)) {
      if (overflow.length > 0) this.observer.attempted?.(endpoint.id, 'overflow', overflow.length);
      cursors.set(directory, last);
    }
    return read.entries.length;
  }

  /** One attempt at a queue's head, settled; null when cut short by a stop (the head stays queued). */
  private async attempt(
    endpoint: WebhookEndpoint,
    head: Delivery,
  ): Promise<'delivered' | 'failed' | 'dead' | null> {
    const now = Date.now();
    const headers = signedHeaders(head.messageId, head.body, endpoint.secrets, now);
    const result = await this.sender.send(endpoint.url, headers, head.body, this.stopped.signal);
    if (this.stopped.signal.aborted && !result.ok) return null;
    if (result.ok) {
      await this.store.settle(endpoint.id, head.directory, head.messageId, { kind: 'delivered' });
      this.observer.attempted?.(endpoint.id, 'delivered');
      return 'delivered';
    }
    const attempts = head.attempts + 1;
    const exponential = Math.min(
      this.settings.retryMaxMs,
      this.settings.retryInitialMs * 2 ** Math.min(attempts - 1, 30),
    );
    const delay = Math.max(exponential * (0.5 + Math.random() / 2), result.retryAfterMs ?? 0);
    const after = Date.now();
    if (after + delay > head.queuedAt + this.settings.retryForMs) {
      const letter: DeadLetter = { ...head, attempts, lastError: result.error, deadAt: after };
      await this.store.settle(endpoint.id, head.directory, head.messageId, { kind: 'dead', letter });
      this.observer.attempted?.(endpoint.id, 'dead');
      return 'dead';
    }
    const retry: Delivery = { ...head, attempts, lastError: result.error, nextAttemptAt: after + delay };
    await this.store.settle(endpoint.id, head.directory, head.messageId, { kind: 'retry', delivery: retry });
    this.observer.attempted?.(endpoint.id, 'failed');
    return 'failed';
  }

  /**
   * The endpoint's gauges, at most once per REPORT_MS: they cost a store read per directory, and a
   * holder draining a backlog loops once per delivered message.
   */
  private async report(endpoint: WebhookEndpoint, heads: readonly Delivery[]): Promise<void> {
    if (this.observer.standing === undefined) return;
    const now = Date.now();
    if ((this.reported.get(endpoint.id) ?? 0) + REPORT_MS > now) return;
    this.reported.set(endpoint.id, now);
    const oldest = Math.min(...heads.map((head) => head.queuedAt), Number.POSITIVE_INFINITY);
    const backlog = await backlogOf(this.store, endpoint);
    const { count } = await this.store.deadLetters(endpoint.id, 0);
    const lag = Number.isFinite(oldest) ? Math.max(0, (Date.now() - oldest) / 1000) : 0;
    this.observer.standing(endpoint.id, lag, backlog, count);
  }
}

/** An endpoint's lease, on the change streams' leases (a name no directory can have). */
const leaseName = (id: string) => `webhook:${id}`;
