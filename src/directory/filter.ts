import { createHash } from 'node:crypto';
import type { User, UserKind, UserStatus } from './model.js';

/**
 * What a list can be narrowed by. Each provider pushes down what its API can do natively and applies
 * the rest locally with `matchesFilter`, whose semantics are the reference for all of them.
 */
export interface UserFilter {
  /** Case-insensitive substring of displayName, givenName, familyName, username or any email address. */
  readonly text?: string;
  /** Exact email address, compared trimmed and case-folded. */
  readonly email?: string;
  /** Any of these statuses. */
  readonly status?: readonly UserStatus[];
  readonly kind?: UserKind;
  /** RFC 3339; inclusive. */
  readonly createdAfter?: string;
  /** RFC 3339; exclusive. */
  readonly createdBefore?: string;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function isEmptyFilter(filter: UserFilter | undefined): boolean {
  return (
    filter === undefined ||
    (filter.text === undefined &&
      filter.email === undefined &&
      filter.status === undefined &&
      filter.kind === undefined &&
      filter.createdAfter === undefined &&
      filter.createdBefore === undefined)
  );
}

export function matchesFilter(user: User, filter: UserFilter): boolean {
  if (filter.text !== undefined) {
    const needle = filter.text.toLowerCase();
    const haystack = [
      user.displayName,
      user.givenName,
      user.familyName,
      user.username,
      ...user.emails.map((e) => e.address),
    ];
    if (!haystack.some((value) => value?.toLowerCase().includes(needle))) return false;
  }
  if (filter.email !== undefined) {
    const wanted = normalizeEmail(filter.email);
    if (!user.emails.some((email) => normalizeEmail(email.address) === wanted)) return false;
  }
  if (filter.status !== undefined && (user.status === null || !filter.status.includes(user.status)))
    return false;
  if (filter.kind !== undefined && user.kind !== filter.kind) return false;
  if (
    filter.createdAfter !== undefined &&
    (user.createdAt === null || user.createdAt < Date.parse(filter.createdAfter))
  ) {
    return false;
  }
  if (
    filter.createdBefore !== undefined &&
    (user.createdAt === null || user.createdAt >= Date.parse(filter.createdBefore))
  ) {
    return false;
  }
  return true;
}

/**
 * The one fingerprint: a short, stable digest of plain data (key order and undefined keys do not
 * matter), so a cursor is only honoured for the listing it was issued for.
 */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('base64url').slice(0, 12);
}

/** The fingerprint of a filter in canonical form (email case-folded, statuses sorted); '' for none. */
export function filterFingerprint(filter: UserFilter | undefined): string {
  if (isEmptyFilter(filter) || filter === undefined) return '';
  return fingerprint({
    ...filter,
    email: filter.email === undefined ? undefined : normalizeEmail(filter.email),
    status: filter.status === undefined ? undefined : [...new Set(filter.status)].sort(),
  });
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
