import type { UserFilter } from './filter.js';
import type { PageRequest } from './port.js';

/**
 * A page request no provider could honour: a bad cursor, a limit or budget out of range, a filter
 * value that is not what it claims to be. The GraphQL layer maps this one class to BAD_USER_INPUT.
 * It extends RangeError because that is what callers caught before it existed.
 */
export class InvalidPageRequest extends RangeError {
  override readonly name: string = 'InvalidPageRequest';
}

/**
 * A lookup that had to scan a directory (no native query for it) and stopped at its page budget
 * before the end: the keys it could not settle get this instead of a silent "not found".
 */
export class ScanBudgetExhaustedError extends Error {
  override readonly name = 'ScanBudgetExhaustedError';
  constructor(
    readonly directory: string,
    readonly pagesScanned: number,
  ) {
    super(`directory ${directory}: gave up after scanning ${pagesScanned} pages without reaching the end`);
  }
}

/** Upstream list requests a filtered page may spend when the provider filters locally. */
export const DEFAULT_SCAN_BUDGET = 10;

/** Throws InvalidPageRequest for a limit, budget or filter no provider can honour. */
export function checkPageRequest(request: PageRequest): void {
  if (!Number.isSafeInteger(request.limit) || request.limit < 1) {
    throw new InvalidPageRequest('limit must be a positive integer');
  }
  if (
    request.scanBudget !== undefined &&
    (!Number.isSafeInteger(request.scanBudget) || request.scanBudget < 1)
  ) {
    throw new InvalidPageRequest('scanBudget must be a positive integer');
  }
  if (request.filter) checkFilter(request.filter);
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

function checkFilter(filter: UserFilter): void {
  for (const [field, value] of [
    ['createdAfter', filter.createdAfter],
    ['createdBefore', filter.createdBefore],
  ] as const) {
    if (value !== undefined && (!RFC3339.test(value) || Number.isNaN(Date.parse(value)))) {
      throw new InvalidPageRequest(`${field} must be an RFC 3339 date-time`);
    }
  }
  if (filter.email !== undefined && filter.email.trim() === '') {
    throw new InvalidPageRequest('email must not be empty');
  }
}

/**
 * True once a list sorted by creation date can hold no more matches: every later user is created
 * at or after `createdBefore` (ascending) or before `createdAfter` (descending).
 */
export function pastCreationWindow(
  createdAt: string | null,
  filter: UserFilter | undefined,
  direction: 'ASC' | 'DESC',
): boolean {
  if (createdAt === null || filter === undefined) return false;
  const at = Date.parse(createdAt);
  if (direction === 'ASC') {
    return filter.createdBefore !== undefined && at >= Date.parse(filter.createdBefore);
  }
  return filter.createdAfter !== undefined && at < Date.parse(filter.createdAfter);
}

/** A short stable fingerprint of a filter, so a cursor is only honoured with the filter it was issued for. */
export function filterFingerprint(filter: UserFilter | undefined): string {
  if (filter === undefined) return '';
  const canonical = JSON.stringify([
    filter.text ?? null,
    filter.email === undefined ? null : filter.email.trim().toLowerCase(),
    filter.status ? [...filter.status].sort() : null,
    filter.kind ?? null,
    filter.createdAfter ?? null,
    filter.createdBefore ?? null,
  ]);
  if (canonical === '[null,null,null,null,null,null]') return '';
  let hash = 0x811c9dc5;
  for (let index = 0; index < canonical.length; index += 1) {
    hash = Math.imul(hash ^ canonical.charCodeAt(index), 0x01000193) >>> 0;
  }
  return hash.toString(36);
}
