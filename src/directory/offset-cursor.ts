import { InvalidPageRequest } from './failures.js';

// Cursors of the small lists beyond users (a user's groups, roles and sessions; a directory's groups;
// a group's members): an offset into the list, as opaque text. Forging one gains nothing (every list is
// read within its page budget), so it is not signed; it is bounded and checked.

const PREFIX = 'o1:';
/** Furthest offset a cursor may name. */
export const MAX_LIST_OFFSET = 100_000;

export function encodeOffset(offset: number): string {
  return Buffer.from(`${PREFIX}${offset}`, 'utf8').toString('base64url');
}

/** The offset an `after` names (0 without one); anything else is the caller's mistake on `after`. */
export function decodeOffset(after: string | null | undefined): number {
  if (after === null || after === undefined) return 0;
  const text = after.length <= 32 ? Buffer.from(after, 'base64url').toString('utf8') : '';
  const match = /^o1:(\d{1,6})$/.exec(text);
  const offset = match ? Number(match[1]) + 1 : Number.NaN;
  if (!(offset >= 1 && offset <= MAX_LIST_OFFSET)) {
    throw new InvalidPageRequest('not a cursor of this list', 'after');
  }
  return offset;
}
