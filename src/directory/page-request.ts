import { InvalidPageRequest } from './failures.js';
import type { UserFilter } from './filter.js';
import type { Timestamp } from './model.js';
import type { PageRequest } from './port.js';

/** Upstream list requests a filtered page may spend when the provider filters locally. */
export const DEFAULT_SCAN_BUDGET = 10;

/** Throws InvalidPageRequest for a limit, budget or filter no provider can honour. */
export function checkPageRequest(request: PageRequest): void {
  if (!Number.isSafeInteger(request.limit) || request.limit < 1) {
    throw new InvalidPageRequest('limit must be a positive integer', 'first');
  }
  if (
    request.scanBudget !== undefined &&
    (!Number.isSafeInteger(request.scanBudget) || request.scanBudget < 1)
  ) {
    throw new InvalidPageRequest('scanBudget must be a positive integer', 'first');
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
      throw new InvalidPageRequest(`${field} must be an RFC 3339 date-time`, 'filter');
    }
  }
  if (filter.email !== undefined && filter.email.trim() === '') {
    throw new InvalidPageRequest('email must not be empty', 'filter');
  }
}

/**
 * True once a list sorted by creation date can hold no more matches: every later user is created
 * at or after `createdBefore` (ascending) or before `createdAfter` (descending).
 */
export function pastCreationWindow(
  at: Timestamp | null,
  filter: UserFilter | undefined,
  direction: 'ASC' | 'DESC',
): boolean {
  if (at === null || filter === undefined) return false;
  if (direction === 'ASC') {
    return filter.createdBefore !== undefined && at >= Date.parse(filter.createdBefore);
  }
  return filter.createdAfter !== undefined && at < Date.parse(filter.createdAfter);
}
