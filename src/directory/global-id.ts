// Global ids are opaque to clients but stable: base64url of `u1:<directory>:<localId>`. The version
// prefix lets the format change without breaking ids already stored by clients.

const PREFIX = 'u1:';

export interface UserRef {
  readonly directory: string;
  readonly localId: string;
}

/**
 * Ids come back again and again (a page re-read, the same people in many answers), and each is decoded
 * twice per request (the cost estimate, then the loader) and encoded once per answer: the last ones are
 * kept, bounded, rather than running base64 each time.
 */
const CACHE_SIZE = 20_000;
const decoded = new Map<string, UserRef | string>();
const encoded = new Map<string, string>();

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, value);
  return value;
}

export function encodeUserId(directory: string, localId: string): string {
  const key = `${directory}:${localId}`;
  return (
    encoded.get(key) ?? remember(encoded, key, Buffer.from(`${PREFIX}${key}`, 'utf8').toString('base64url'))
  );
}

/** A change's id across the whole feed: its directory and the provider's event id. */
export function encodeChangeId(directory: string, localId: string): string {
  return Buffer.from(`c1:${directory}:${localId}`, 'utf8').toString('base64url');
}

/** Returns the reference, or a sentence saying what is wrong with the id (never throws). */
export function decodeUserId(globalId: string): UserRef | string {
  const known = decoded.get(globalId);
  if (known !== undefined) return known;
  // Ids longer than this are no usergraph id; they are not decoded, nor kept.
  if (globalId.length > 512) return 'is not a usergraph id (too long)';
  return remember(decoded, globalId, decode(globalId));
}

function decode(globalId: string): UserRef | string {
  if (!/^[A-Za-z0-9_-]+$/.test(globalId)) return 'is not a usergraph id (expected base64url text)';
  const text = Buffer.from(globalId, 'base64url').toString('utf8');
  if (!text.startsWith(PREFIX)) return 'is not a usergraph user id';
  const rest = text.slice(PREFIX.length);
  const colon = rest.indexOf(':');
  if (colon <= 0 || colon === rest.length - 1)
    return 'is not a usergraph user id (no directory or no local id)';
  return { directory: rest.slice(0, colon), localId: rest.slice(colon + 1) };
}

// Groups have global ids of their own kind, `g1:<directory>:<localId>`, so `node(id)` can
// tell a group from a user before asking any directory.
const GROUP_PREFIX = 'g1:';
const GROUP_PREFIX_ENCODED = Buffer.from(GROUP_PREFIX, 'utf8').toString('base64url');

export function encodeGroupId(directory: string, localId: string): string {
  return Buffer.from(`${GROUP_PREFIX}${directory}:${localId}`, 'utf8').toString('base64url');
}

/** The group a global id names, or null when it is not a group id (it may be a user's). */
export function decodeGroupId(globalId: string): UserRef | null {
  // `g1:` is three bytes, so every group id starts with its four base64url characters, and nothing else
  // decodes to them: a user id is told apart without decoding it (each id of a lookup is asked).
  if (!globalId.startsWith(GROUP_PREFIX_ENCODED)) return null;
  if (globalId.length > 512 || !/^[A-Za-z0-9_-]+$/.test(globalId)) return null;
  const text = Buffer.from(globalId, 'base64url').toString('utf8');
  if (!text.startsWith(GROUP_PREFIX)) return null;
  const rest = text.slice(GROUP_PREFIX.length);
  const colon = rest.indexOf(':');
  if (colon <= 0 || colon === rest.length - 1) return null;
  return { directory: rest.slice(0, colon), localId: rest.slice(colon + 1) };
}
