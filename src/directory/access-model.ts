import type { Timestamp, User } from './model.js';

// What a person can access and how they signed in, beyond the account itself: groups and
// memberships, role assignments, sessions. Plain readonly data like model.ts; a provider that cannot
// serve a kind of fact says so in its capabilities and leaves the port method out, so "no groups" and
// "cannot know" never look alike.

export interface Group {
  readonly directory: string;
  readonly localId: string;
  readonly name: string;
  readonly description: string | null;
  /** ZITADEL's organization; null where the directory has none (MonoCloud). */
  readonly organizationId: string | null;
  readonly createdAt: Timestamp | null;
  readonly updatedAt: Timestamp | null;
  /** Where the directory reports it with the group (MonoCloud `users_assigned`); else null. */
  readonly memberCount: number | null;
}

/** One user's membership of one group. */
export interface Membership {
  readonly groupId: string;
  readonly userId: string;
  /** When the user was added to the group, where the directory records it. */
  readonly addedAt: Timestamp | null;
  /** The member itself, where the member list returns whole users (MonoCloud); else loaded by id. */
  readonly user?: User;
}

export type AssignmentState = 'ACTIVE' | 'INACTIVE';

/** A role granted to a user on a project (ZITADEL authorizations). */
export interface RoleAssignment {
  readonly id: string;
  readonly roleKey: string;
  readonly roleName: string | null;
  /** What the role applies to: a ZITADEL project. */
  readonly scope: {
    readonly kind: 'PROJECT';
    readonly id: string;
    readonly name: string | null;
    readonly organizationId: string | null;
  };
  readonly state: AssignmentState | null;
  readonly createdAt: Timestamp | null;
  readonly updatedAt: Timestamp | null;
}

/** An active sign-in session. */
export interface Session {
  readonly id: string;
  readonly startedAt: Timestamp | null;
  readonly expiresAt: Timestamp | null;
  readonly updatedAt: Timestamp | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly clientIds: readonly string[];
}

/** One page of a directory-wide list the provider pages by offset (groups, a group's members). */
export interface OffsetPage<T> {
  readonly items: readonly T[];
  /** Total matching, when the provider reports one. */
  readonly total: number | null;
  /** Offset of the next page, or null after the last. */
  readonly next: number | null;
}

/** The page of `items` read from `offset` in a list of `total` (when known): where the next one starts. */
export function offsetPageOf<T>(items: readonly T[], offset: number, total: number | null): OffsetPage<T> {
  const end = offset + items.length;
  return { items, total, next: total !== null && end < total && items.length > 0 ? end : null };
}
