import type { ChangeKind } from '../directory/change-model.js';

// Webhooks: endpoints a caller with `webhooks:manage` registers, each receiving the changes of the
// directories it was granted, signed per Standard Webhooks, at least once, in order per directory.

/** One signing secret (`whsec_…`); an old one keeps signing until `notAfter` after a rotation. */
export interface WebhookSecret {
  readonly secret: string;
  /** Epoch ms after which it no longer signs; null: the current secret. */
  readonly notAfter: number | null;
}

export interface WebhookEndpoint {
  readonly id: string;
  readonly url: string;
  /** The directories it receives (the creator's readable ones among those asked for, fixed at creation). */
  readonly directories: readonly string[];
  /** Only these kinds; null: every kind. */
  readonly kinds: readonly ChangeKind[] | null;
  readonly description: string | null;
  readonly secrets: readonly WebhookSecret[];
  readonly createdAt: number;
  /** `kind:subject` of the principal that created it (the audit log names it too). */
  readonly createdBy: string;
}

/** One message on its way to an endpoint; `body` is fixed when queued, so every attempt signs the same bytes. */
export interface Delivery {
  /** `webhook-id`: the same for every attempt and replay of one change to one endpoint. */
  readonly messageId: string;
  readonly directory: string;
  readonly body: string;
  /** Epoch ms: when it was queued (the lag and the retry period count from here). */
  readonly queuedAt: number;
  readonly attempts: number;
  /** Epoch ms: not before. */
  readonly nextAttemptAt: number;
  /** Why the last attempt failed, as a short code (`HTTP 503`, `TIMEOUT`…); never a body or an address. */
  readonly lastError: string | null;
}

/** A delivery that ran out of its retry period (or found the backlog full): kept for replay. */
export interface DeadLetter extends Delivery {
  readonly deadAt: number;
}
