import type { Timestamp } from './model.js';

// The change feed's model: normalised changes, each with the provider position right after
// it, so a merged feed can advance each directory exactly as far as the changes it handed out.

export const CHANGE_KINDS = [
  'USER_CREATED',
  'USER_UPDATED',
  'USER_DELETED',
  'USER_STATE_CHANGED',
  'MEMBERSHIP_ADDED',
  'MEMBERSHIP_REMOVED',
  'ROLE_GRANTED',
  'ROLE_CHANGED',
  'ROLE_REVOKED',
  'SIGN_IN',
  'OTHER',
] as const;

export type ChangeKind = (typeof CHANGE_KINDS)[number];

/**
 * Where one directory's feed stands, as its provider reads it back: ZITADEL a time watermark plus the
 * events already handed out inside the overlap window; MonoCloud an offset into its ascending log and
 * the id expected just before it; App Services the last `_id` read. Small, JSON, bounded (the cursor
 * codec signs and bounds it).
 */
export type ChangePosition =
  | {
      readonly kind: 'watermark';
      readonly at: number;
      readonly seen: readonly string[];
      /** The `since` the feed began at: the overlap never reaches back before it. */
      readonly floor: number | null;
    }
  | {
      readonly kind: 'offset';
      readonly offset: number;
      readonly lastId: string | null;
      /** MonoCloud's second stream, users by `last_updated`: the second reached and the ids seen in it. */
      readonly updated?: { readonly at: number; readonly ids: readonly string[] };
    }
  | { readonly kind: 'after-id'; readonly after: string | null };

export interface Change {
  /** Unique within its directory's feed (the provider's event id, or one derived from it). */
  readonly id: string;
  readonly directory: string;
  readonly at: Timestamp;
  readonly kind: ChangeKind;
  /** The provider-local id of the user it concerns, if any. */
  readonly userId: string | null;
  /** The provider-local id of the group it concerns, if any. */
  readonly groupId: string | null;
  /** The provider's own type or code (`user.human.added`, `user_created`). */
  readonly rawType: string;
  /** Resume here to read the changes after this one. */
  readonly position: ChangePosition;
}

export interface ChangeRequest {
  /** Where a previous read ended; null for a fresh scan from `since`. */
  readonly position: ChangePosition | null;
  /** Epoch ms; a fresh scan returns changes strictly after it (null: from the start of the history). */
  readonly since: number | null;
  readonly limit: number;
}

export interface ChangePage {
  readonly changes: readonly Change[];
  /** Where to resume after the whole page (also after changes it skipped as duplicates). */
  readonly position: ChangePosition;
  /** Whether the directory may have more changes right now. */
  readonly more: boolean;
  /** The scan started before the directory's history: changes older than its retention are gone. */
  readonly truncated: boolean;
}

/** What a directory can serve beyond users, so "cannot know" is never mistaken for "none". */
export interface Capabilities {
  readonly groups: boolean;
  readonly roles: boolean;
  readonly sessions: boolean;
  readonly changeKinds: readonly ChangeKind[];
  /** How far back the change history reaches, in days; null when unbounded or undocumented. */
  readonly changeRetentionDays: number | null;
  /** Whether every change of the listed kinds appears in the feed. */
  readonly changesComplete: boolean;
  /** What limits these answers (plans, permissions, unconfirmed contract details). */
  readonly notes: readonly string[];
}
