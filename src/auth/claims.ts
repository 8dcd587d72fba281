import { isScope, type Scope } from './scopes.js';

// Reading scopes and directories out of a verified token's claims (or an introspection response), as
// the identity providers people run shape them (../shared/providers/access-tokens.md): claims named by
// a path, several of them merged, values that are strings, arrays, arrays of `{ value }` or objects
// whose keys are the names (ZITADEL's roles), and IdP roles or groups mapped to usergraph's scopes and
// directories. Pure: claims in, grants out.

/** What one IdP role (or group, or permission) grants in usergraph. */
export interface RoleGrant {
  readonly scopes: readonly Scope[];
  readonly directories: readonly string[];
}

export interface ClaimMapping {
  /** Claims whose values are scopes or role names; all are read and merged. */
  readonly scopeClaims: readonly string[];
  /** Claims whose values name directories; none configured: every directory. */
  readonly directoriesClaims: readonly string[];
  /** IdP role → what it grants; a value that is a usergraph scope needs no entry. */
  readonly roles: ReadonlyMap<string, RoleGrant>;
}

export interface Grants {
  readonly scopes: ReadonlySet<Scope>;
  /** null: every directory (no directory claim or directory role in the token). */
  readonly directories: ReadonlySet<string> | null;
}

/**
 * A claim by name: the whole name as a top-level claim first (ZITADEL's `urn:zitadel:iam:org:project:roles`,
 * Auth0's `https://example.com/roles` hold dots and slashes), else a dotted path into nested objects
 * (Keycloak's `realm_access.roles`, `resource_access.usergraph.roles`).
 */
export function claimAt(claims: Readonly<Record<string, unknown>>, path: string): unknown {
  if (Object.hasOwn(claims, path)) return claims[path];
  let value: unknown = claims;
  for (const segment of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    if (!Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/** At most this many names are read from one claim (a token is the caller's: its size is theirs). */
const MAX_VALUES = 1_000;
/** Longest name read (role keys, scopes, directory names); longer ones are ignored. */
const MAX_NAME = 256;

/**
 * The names a claim holds: a space-separated string (OAuth `scope`, Entra `scp`), an array of strings,
 * an array of `{ value }` (SCIM, RFC 9068 `roles`/`groups`), or an object whose keys are the names
 * (ZITADEL: `{ "<role>": { "<orgId>": "<domain>" } }`), or an array of such objects (ZITADEL's claims
 * reference shows that form).
 */
export function namesIn(value: unknown): string[] {
  const names: string[] = [];
  const add = (name: unknown) => {
    if (typeof name === 'string' && name !== '' && name.length <= MAX_NAME && names.length < MAX_VALUES) {
      names.push(name);
    }
  };
  if (typeof value === 'string') {
    for (const part of value.split(/\s+/)) add(part);
  } else if (Array.isArray(value)) {
    for (const item of value.slice(0, MAX_VALUES)) {
      if (typeof item === 'string') add(item);
      else if (item !== null && typeof item === 'object') {
        if (typeof (item as { value?: unknown }).value === 'string') add((item as { value: string }).value);
        else for (const key of Object.keys(item).slice(0, MAX_VALUES)) add(key);
      }
    }
  } else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value).slice(0, MAX_VALUES)) add(key);
  }
  return names;
}

/**
 * Grants from claims: every value of every scope claim is either a usergraph scope or a role name
 * (mapped through `roles`; unknown ones are ignored, never an error); directories come from the
 * directory claims and the roles' directories. An absent claim grants nothing; when neither a
 * directory claim nor a directory role is in the token, every directory is readable.
 */
export function grantsFrom(claims: Readonly<Record<string, unknown>>, mapping: ClaimMapping): Grants {
  const scopes = new Set<Scope>();
  let directories: Set<string> | null = null;
  const addDirectory = (name: string) => {
    directories ??= new Set();
    directories.add(name);
  };
  for (const path of mapping.scopeClaims) {
    for (const name of namesIn(claimAt(claims, path))) {
      const role = mapping.roles.get(name);
      if (role !== undefined) {
        for (const scope of role.scopes) scopes.add(scope);
        for (const directory of role.directories) addDirectory(directory);
      } else if (isScope(name)) scopes.add(name);
    }
  }
  for (const path of mapping.directoriesClaims) {
    const value = claimAt(claims, path);
    if (value === undefined) continue;
    // A directory claim that is present, even empty, limits the caller to what it names.
    directories ??= new Set();
    for (const name of namesIn(value)) addDirectory(name);
  }
  return { scopes, directories };
}
