import type { DeadLetter, Delivery, WebhookEndpoint } from './webhook-model.js';
import { MAX_DEAD_LETTERS, revived, type Settlement, type WebhookStore } from './webhook-store.js';

interface Held {
  endpoint: WebhookEndpoint;
  cursors: Map<string, number>;
  queues: Map<string, Delivery[]>;
  /** Newest first. */
  dead: DeadLetter[];
}

/** Webhooks without Redis: this process is its own cluster; what is queued lives as long as it does. */
export class MemoryWebhookStore implements WebhookStore {
  private readonly held = new Map<string, Held>();

  async endpoints(): Promise<WebhookEndpoint[]> {
    return [...this.held.values()].map((held) => held.endpoint);
  }

  async endpoint(id: string): Promise<WebhookEndpoint | null> {
    return this.held.get(id)?.endpoint ?? null;
  }

  async create(endpoint: WebhookEndpoint, cursors: Readonly<Record<string, number>>, max: number) {
    if (this.held.size >= max) return false;
    this.held.set(endpoint.id, {
      endpoint,
      cursors: new Map(Object.entries(cursors)),
      queues: new Map(),
      dead: [],
    });
    return true;
  }

  async setSecrets(id: string, secrets: WebhookEndpoint['secrets']) {
    const held = this.held.get(id);
    if (held === undefined) return false;
    held.endpoint = { ...held.endpoint, secrets };
    return true;
  }

  async remove(id: string) {
    return this.held.delete(id);
  }

  async cursor(id: string, directory: string) {
    return this.held.get(id)?.cursors.get(directory) ?? null;
  }

  async enqueue(
    id: string,
    directory: string,
    from: number | null,
    to: number,
    deliveries: readonly Delivery[],
    overflow: readonly DeadLetter[],
  ) {
    const held = this.held.get(id);
    if (held === undefined || (held.cursors.get(directory) ?? null) !== from) return false;
    held.cursors.set(directory, to);
    this.queue(held, directory).push(...deliveries);
    this.bury(held, overflow);
    return true;
  }

  async head(id: string, directory: string) {
    const held = this.held.get(id);
    return held === undefined ? null : (this.queue(held, directory)[0] ?? null);
  }

  async settle(id: string, directory: string, messageId: string, settlement: Settlement) {
    const held = this.held.get(id);
    if (held === undefined) return false;
    const queue = this.queue(held, directory);
    if (queue[0]?.messageId !== messageId) return false;
    if (settlement.kind === 'retry') {
      queue[0] = settlement.delivery;
      return true;
    }
    queue.shift();
    if (settlement.kind === 'dead') this.bury(held, [settlement.letter]);
    return true;
  }

  async backlog(id: string, directory: string) {
    const held = this.held.get(id);
    return held === undefined ? 0 : this.queue(held, directory).length;
  }

  async deadLetters(id: string, limit: number) {
    const dead = this.held.get(id)?.dead ?? [];
    return { count: dead.length, letters: dead.slice(0, limit) };
  }

  async replay(id: string) {
    const held = this.held.get(id);
    if (held === undefined) return 0;
    const now = Date.now();
    // Newest first: putting each at the front leaves the oldest at the front.
    for (const letter of held.dead) this.queue(held, letter.directory).unshift(revived(letter, now));
    const count = held.dead.length;
    held.dead = [];
    return count;
  }

  private queue(held: Held, directory: string): Delivery[] {
    let queue = held.queues.get(directory);
    if (queue === undefined) {
      queue = [];
      held.queues.set(directory, queue);
    }
    return queue;
  }

  private bury(held: Held, letters: readonly DeadLetter[]): void {
    if (letters.length === 0) return;
    held.dead.unshift(...[...letters].reverse());
    held.dead.length = Math.min(held.dead.length, MAX_DEAD_LETTERS);
  }
}
