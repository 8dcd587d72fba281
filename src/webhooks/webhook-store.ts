import type { TargetPolicy } from './target-url.js';
import type { DeadLetter, Delivery, WebhookEndpoint } from './webhook-model.js';

// Where webhooks and their deliveries live: Redis when configured (so a replica dying mid-delivery loses
// nothing: the next holder of the endpoint's lease carries on from the same queues), else this process.
// Every step that must not interleave with another holder's is a compare-and-set: a queue is appended
// only from the cursor the appender read, a head is settled only if it is still the head it sent. Two
// holders at once (a paused one) can therefore only send a message twice, never lose or reorder one.

/** What becomes of a queue's head after an attempt. */
export type Settlement =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'retry'; readonly delivery: Delivery }
  | { readonly kind: 'dead'; readonly letter: DeadLetter };

export interface WebhookStore {
  endpoints(): Promise<WebhookEndpoint[]>;
  endpoint(id: string): Promise<WebhookEndpoint | null>;
  /** Adds an endpoint reading each directory's stream after `cursors`; false when `max` exist already. */
  create(endpoint: WebhookEndpoint, cursors: Readonly<Record<string, number>>, max: number): Promise<boolean>;
  /** Replaces an endpoint's secrets; false when it is gone. */
  setSecrets(id: string, secrets: WebhookEndpoint['secrets']): Promise<boolean>;
  /** Removes an endpoint with its queues and dead letters; false when it was not there. */
  remove(id: string): Promise<boolean>;
  /** The stream place up to which `directory` was queued for `id`. */
  cursor(id: string, directory: string): Promise<number | null>;
  /**
   * Queues `deliveries` (and dead-letters `overflow`, the backlog being full) and moves the cursor to
   * `to`, only if the cursor is still `from`; false otherwise (another holder moved it).
   */
  enqueue(
    id: string,
    directory: string,
    from: number | null,
    to: number,
    deliveries: readonly Delivery[],
    overflow: readonly DeadLetter[],
  ): Promise<boolean>;
  head(id: string, directory: string): Promise<Delivery | null>;
  /** Settles the head if it is still `messageId`; false otherwise. */
  settle(id: string, directory: string, messageId: string, settlement: Settlement): Promise<boolean>;
  /** Messages waiting in `directory`'s queue. */
  backlog(id: string, directory: string): Promise<number>;
  /** The newest dead letters first, at most `limit`, and how many there are. */
  deadLetters(id: string, limit: number): Promise<{ count: number; letters: DeadLetter[] }>;
  /** Puts every dead letter back at the front of its directory's queue, oldest first; how many. */
  replay(id: string): Promise<number>;
}

/** Dead letters an endpoint keeps (the oldest go past it). */
export const MAX_DEAD_LETTERS = 10_000;

/** Messages waiting for `endpoint`, all its directories together. */
export async function backlogOf(store: WebhookStore, endpoint: WebhookEndpoint): Promise<number> {
  const counts = await Promise.all(
    endpoint.directories.map((directory) => store.backlog(endpoint.id, directory)),
  );
  return counts.reduce((sum, count) => sum + count, 0);
}

/** A dead letter back in its queue: due now, its attempts counted afresh. */
export function revived(letter: DeadLetter, now: number): Delivery {
  return {
    messageId: letter.messageId,
    directory: letter.directory,
    body: letter.body,
    queuedAt: now,
    attempts: 0,
    nextAttemptAt: now,
    lastError: letter.lastError,
  };
}

/** What the management API needs of the webhooks machinery. */
export interface WebhookAdmin {
  readonly store: WebhookStore;
  readonly policy: TargetPolicy;
  readonly maxEndpoints: number;
  /** How long an old secret keeps signing after a rotation, unless the call says otherwise. */
  readonly overlapMs: number;
}
