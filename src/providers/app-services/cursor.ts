import { InvalidPageRequest } from '../../directory/page-errors.js';
import type { SortDirection } from '../../directory/port.js';

/** A position in the `_id`-ordered user list: the last `_id` returned, and which way the list ran. */
export interface ListPosition {
  readonly after: string;
  readonly direction: SortDirection;
}

/** Opaque to callers; base64url JSON so it survives URLs and GraphQL strings. */
export function encodeCursor(position: ListPosition): string {
  return Buffer.from(JSON.stringify({ a: position.after, d: position.direction }), 'utf8').toString(
    'base64url',
  );
}

export function decodeCursor(cursor: string): ListPosition {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  const { a, d } = (value ?? {}) as { a?: unknown; d?: unknown };
  if (typeof a !== 'string' || a === '' || (d !== 'ASC' && d !== 'DESC')) {
    throw new InvalidPageRequest('not an app-services cursor');
  }
  return { after: a, direction: d };
}
