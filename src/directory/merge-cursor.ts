import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { DirectoryPosition, Positions } from './merge.js';
import type { SortDirection } from './port.js';

// Opaque to clients: base64url JSON of every directory's position, the order, and a short hash of the
// arguments the listing was made with, so a cursor is never silently reused for a different listing.

export interface ListCursor {
  readonly direction: SortDirection;
  readonly key: string;
  readonly positions: Positions;
}

const RUNNING = z.tuple([z.string().nullable(), z.number().int().nonnegative()]);
const ENDED = z.object({ end: z.number().int().nonnegative().nullable() }).strict();

const CURSOR = z
  .object({
    v: z.literal(1),
    o: z.enum(['ASC', 'DESC']),
    k: z.string(),
    p: z.record(z.string(), z.union([RUNNING, ENDED])),
  })
  .strict();

/** A short, stable digest of whatever defines the listing (order, filter, directories). */
export function listingKey(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('base64url').slice(0, 12);
}

export function encodeListCursor(cursor: ListCursor): string {
  const p: Record<string, z.infer<typeof RUNNING> | z.infer<typeof ENDED>> = {};
  for (const [name, position] of Object.entries(cursor.positions)) {
    p[name] = 'end' in position ? { end: position.total } : [position.cursor, position.skip];
  }
  return Buffer.from(JSON.stringify({ v: 1, o: cursor.direction, k: cursor.key, p }), 'utf8').toString(
    'base64url',
  );
}

/** The cursor, or null when the text is not one of ours. */
export function decodeListCursor(text: string): ListCursor | null {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const parsed = CURSOR.safeParse(json);
  if (!parsed.success) return null;
  const positions: Record<string, DirectoryPosition> = {};
  for (const [name, position] of Object.entries(parsed.data.p)) {
    positions[name] = Array.isArray(position)
      ? { cursor: position[0], skip: position[1] }
      : { end: true, total: position.end };
  }
  return { direction: parsed.data.o, key: parsed.data.k, positions };
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
