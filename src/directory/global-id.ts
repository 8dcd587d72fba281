// Global ids are opaque to clients but stable: base64url of `u1:<directory>:<localId>`. The version
// prefix lets the format change without breaking ids already stored by clients.

const PREFIX = 'u1:';

export interface UserRef {
  readonly directory: string;
  readonly localId: string;
}

export function encodeUserId(directory: string, localId: string): string {
  return Buffer.from(`${PREFIX}${directory}:${localId}`, 'utf8').toString('base64url');
}

/** Returns the reference, or a sentence saying what is wrong with the id (never throws). */
export function decodeUserId(globalId: string): UserRef | string {
  if (!/^[A-Za-z0-9_-]+$/.test(globalId)) return 'is not a usergraph id (expected base64url text)';
  const text = Buffer.from(globalId, 'base64url').toString('utf8');
  if (!text.startsWith(PREFIX)) return 'is not a usergraph user id';
  const rest = text.slice(PREFIX.length);
  const colon = rest.indexOf(':');
  if (colon <= 0 || colon === rest.length - 1)
    return 'is not a usergraph user id (no directory or no local id)';
  return { directory: rest.slice(0, colon), localId: rest.slice(colon + 1) };
}
