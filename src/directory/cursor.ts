import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { InvalidPageRequest } from './failures.js';
import { fingerprint } from './filter.js';
import type { ProviderKind } from './model.js';
import type { ListPosition, SortDirection } from './port.js';

// The one paging codec. A provider's place in its own listing is a ListPosition (provider, direction,
// filter fingerprint, and where: an offset or the last id read); providers take and return positions,
// never text. Clients only ever see the merged list's cursor, which carries every directory's position
// and is encoded here, the one place cursor text is made and read: base64url JSON and an HMAC of it,
// so a client can neither forge a position nor stretch one (every number is also bounded).

/** A page's order: as asked, else the order its cursor was issued for, else oldest first. */
export function directionOf(request: {
  readonly direction?: SortDirection;
  readonly cursor?: ListPosition | null;
}): SortDirection {
  return request.direction ?? request.cursor?.direction ?? 'ASC';
}

/**
 * The `at` to resume from, after checking the position belongs to this provider, direction and filter;
 * undefined for a first page. Anything else is the caller's mistake on `after`.
 */
export function resumeFrom(
  position: ListPosition | null | undefined,
  provider: ProviderKind,
  direction: SortDirection,
  filterFingerprint: string,
): number | string | undefined {
  if (position === null || position === undefined) return undefined;
  if (position.provider !== provider) throw new InvalidPageRequest(`not a ${provider} position`, 'after');
  if (position.direction !== direction) {
    throw new InvalidPageRequest('the cursor was issued for the other sort direction', 'after');
  }
  if (position.filter !== filterFingerprint) {
    throw new InvalidPageRequest('the cursor was issued for another filter', 'after');
  }
  return position.at;
}

/** Where one directory stands in a merged listing: a provider position plus users already handed out after it. */
export type DirectoryPosition =
  | { readonly position: ListPosition | null; readonly skip: number }
  | { readonly end: true; readonly total: number | null };

export type Positions = Readonly<Record<string, DirectoryPosition>>;

export interface ListCursor {
  readonly direction: SortDirection;
  /** `listingKey(…)` of the arguments the listing was made with. */
  readonly key: string;
  readonly positions: Positions;
}

/** A short, stable digest of whatever defines a listing (order, filter, directories). */
export function listingKey(value: unknown): string {
  return fingerprint(value);
}

/** Furthest offset into one directory's listing a cursor may carry. */
const MAX_OFFSET = 10_000_000;
/**
 * Most users a position may skip after its provider position: merge.ts keeps it under twice `first`
 * (at most 100), so anything larger did not come from usergraph.
 */
const MAX_SKIP = 200;
/** Bytes of HMAC-SHA256 kept in a cursor. */
const MAC_BYTES = 16;

const PROVIDER = z.enum(['monocloud', 'zitadel', 'app-services']);
const DIRECTION = z.enum(['ASC', 'DESC']);
const POSITION = z
  .object({
    p: PROVIDER,
    d: DIRECTION,
    f: z.string().max(64),
    a: z.union([z.number().int().nonnegative().max(MAX_OFFSET), z.string().min(1).max(64)]),
  })
  .strict();
const RUNNING = z.tuple([POSITION.nullable(), z.number().int().nonnegative().max(MAX_SKIP)]);
const ENDED = z.object({ end: z.number().int().nonnegative().nullable() }).strict();
const CURSOR = z
  .object({
    v: z.literal(2),
    o: DIRECTION,
    k: z.string().max(64),
    p: z.record(z.string().max(63), z.union([RUNNING, ENDED])),
  })
  .strict();

/**
 * Encodes and reads list cursors, signed with a key every replica shares (config `cursorSecret`), so a
 * cursor issued by one replica pages on through another and a tampered or foreign one is refused.
 */
export class CursorCodec {
  private readonly keys: readonly Buffer[];

  /** Signs with `key`; also accepts cursors signed with any of `previous` (a rotation's overlap). */
  constructor(
    private readonly key: Buffer,
    previous: readonly Buffer[] = [],
  ) {
    this.keys = [key, ...previous];
  }

  encode(cursor: ListCursor): string {
    const payload = encodePayload(cursor);
    return `${payload}.${this.mac(payload)}`;
  }

  /** The cursor, or null when the text is not one of ours (malformed, tampered, another key, out of bounds). */
  decode(text: string): ListCursor | null {
    if (text.length > 16_384) return null;
    const dot = text.indexOf('.');
    if (dot <= 0) return null;
    const payload = text.slice(0, dot);
    if (!this.verifies(payload, text.slice(dot + 1))) return null;
    return decodePayload(payload);
  }

  /**
   * Any other cursor (the change feed's): JSON signed the same way, with `kind` bound into the MAC so
   * a cursor of one kind is never read as another.
   */
  sealJson(kind: string, value: unknown): string {
    const payload = Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
    return `${payload}.${this.mac(`${kind}.${payload}`)}`;
  }

  /** The JSON a `sealJson` cursor holds, or null when the text is not one (of this kind, with this key). */
  openJson(kind: string, text: string): unknown {
    if (text.length > 16_384) return null;
    const dot = text.indexOf('.');
    if (dot <= 0) return null;
    const payload = text.slice(0, dot);
    if (!/^[A-Za-z0-9_-]+$/.test(payload)) return null;
    if (!this.verifies(`${kind}.${payload}`, text.slice(dot + 1))) return null;
    try {
      return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
  }

  /** True when `signature` is `signed`'s MAC under the current key or a previous one. */
  private verifies(signed: string, signature: string): boolean {
    const given = Buffer.from(signature, 'base64url');
    return this.keys.some((key) => {
      const expected = Buffer.from(this.mac(signed, key), 'base64url');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  }

  private mac(payload: string, key: Buffer = this.key): string {
    return createHmac('sha256', key).update(payload).digest().subarray(0, MAC_BYTES).toString('base64url');
  }
}

function encodePayload(cursor: ListCursor): string {
  const p: Record<string, z.input<typeof RUNNING> | z.input<typeof ENDED>> = {};
  for (const [name, entry] of Object.entries(cursor.positions)) {
    p[name] =
      'end' in entry
        ? { end: entry.total }
        : [
            entry.position && {
              p: entry.position.provider,
              d: entry.position.direction,
              f: entry.position.filter,
              a: entry.position.at,
            },
            entry.skip,
          ];
  }
  return Buffer.from(JSON.stringify({ v: 2, o: cursor.direction, k: cursor.key, p }), 'utf8').toString(
    'base64url',
  );
}

function decodePayload(text: string): ListCursor | null {
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
  for (const [name, entry] of Object.entries(parsed.data.p)) {
    if (!Array.isArray(entry)) {
      positions[name] = { end: true, total: entry.end };
      continue;
    }
    const [at, skip] = entry;
    positions[name] = {
      position: at && { provider: at.p, direction: at.d, filter: at.f, at: at.a },
      skip,
    };
  }
  return { direction: parsed.data.o, key: parsed.data.k, positions };
}
