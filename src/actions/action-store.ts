import type { Suspension } from '../directory/lifecycle.js';

// What usergraph remembers of its own writes: the suspensions it made (so a resume undoes exactly
// those, and never an account someone else disabled), and each idempotency key's request and result
// (so a repeat answers the first result, and a retry of a partly failed one completes what is
// missing). In Redis when configured (every replica sees the same), else in this process.

/** A suspension usergraph made, as its action log keeps it. */
export interface SuspensionRecord extends Suspension {
  readonly operationId: string;
  /** Epoch ms. */
  readonly at: number;
}

/** What a repeated idempotency key finds. */
export type Claim =
  /** The key is this request's now: run it. */
  | { readonly kind: 'claimed' }
  /** Another request with this key is running. */
  | { readonly kind: 'running' }
  /** The key was used for a different request. */
  | { readonly kind: 'mismatch' }
  /** The first request's result. */
  | { readonly kind: 'done'; readonly result: unknown };

export interface ActionStore {
  /** Claims `key` for the request whose fingerprint is `fingerprint`, for `runningMs` at most. */
  claim(key: string, fingerprint: string, runningMs: number): Promise<Claim>;
  /** Keeps the result under `key` for `keepMs`. */
  finish(key: string, fingerprint: string, result: unknown, keepMs: number): Promise<void>;
  /** Lets go of a claim whose request ended without a result (it may be sent again). */
  release(key: string): Promise<void>;
  suspension(directory: string, localId: string): Promise<SuspensionRecord | null>;
  recordSuspension(directory: string, localId: string, record: SuspensionRecord): Promise<void>;
  clearSuspension(directory: string, localId: string): Promise<void>;
  /** Whether the store can be written now (a configured Redis that is down cannot). */
  readonly ready: boolean;
}

/** What the mutations need of the action log, as the app was given it. */
export interface ActionServices {
  readonly store: ActionStore;
  /** How long an idempotency key's result is kept (ms). */
  readonly keepMs: number;
}

/** A stored idempotency entry. */
export interface StoredRequest {
  readonly fingerprint: string;
  readonly state: 'running' | 'done';
  readonly result?: unknown;
}

/** Reads a stored entry; anything else (another version's, a damaged one) is no entry. */
export function parseStored(text: string | null): StoredRequest | null {
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as Partial<StoredRequest>;
    if (typeof value.fingerprint !== 'string' || (value.state !== 'running' && value.state !== 'done'))
      return null;
    return { fingerprint: value.fingerprint, state: value.state, result: value.result };
  } catch {
    return null;
  }
}

export function claimOf(stored: StoredRequest, fingerprint: string): Claim {
  if (stored.fingerprint !== fingerprint) return { kind: 'mismatch' };
  return stored.state === 'running' ? { kind: 'running' } : { kind: 'done', result: stored.result };
}

export function parseSuspension(text: string | null): SuspensionRecord | null {
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as Partial<SuspensionRecord>;
    if (value.by !== 'disabled' && value.by !== 'deactivated' && value.by !== 'locked') return null;
    if (typeof value.operationId !== 'string' || typeof value.at !== 'number') return null;
    return {
      by: value.by,
      previous: typeof value.previous === 'string' ? (value.previous as Suspension['previous']) : null,
      operationId: value.operationId,
      at: value.at,
    };
  } catch {
    return null;
  }
}
