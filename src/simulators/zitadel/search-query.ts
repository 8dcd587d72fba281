import type { SimUser, ZitadelRecord } from './data.js';

// ListUsers semantics of the real server: SearchQuery filters ANDed, TextQueryMethod matching,
// UserFieldName sorting, offset/limit where limit 0 means "no limit".

/** A request the real server would refuse with INVALID_ARGUMENT (HTTP 400). */
export class InvalidArgument extends Error {
  constructor(
    message: string,
    readonly errorId: string | null = null,
  ) {
    super(message);
  }
}

const TEXT_METHODS = [
  'TEXT_QUERY_METHOD_EQUALS',
  'TEXT_QUERY_METHOD_EQUALS_IGNORE_CASE',
  'TEXT_QUERY_METHOD_STARTS_WITH',
  'TEXT_QUERY_METHOD_STARTS_WITH_IGNORE_CASE',
  'TEXT_QUERY_METHOD_CONTAINS',
  'TEXT_QUERY_METHOD_CONTAINS_IGNORE_CASE',
  'TEXT_QUERY_METHOD_ENDS_WITH',
  'TEXT_QUERY_METHOD_ENDS_WITH_IGNORE_CASE',
] as const;

/** zitadel/user/v2/user.proto `UserState`. */
const USER_STATES = [
  'USER_STATE_UNSPECIFIED',
  'USER_STATE_ACTIVE',
  'USER_STATE_INACTIVE',
  'USER_STATE_DELETED',
  'USER_STATE_LOCKED',
  'USER_STATE_INITIAL',
] as const;

const TYPES = ['TYPE_UNSPECIFIED', 'TYPE_HUMAN', 'TYPE_MACHINE'] as const;

/** The sorting columns zitadel/user/v2/query.proto defines (`UserFieldName`). */
export const USER_FIELD_NAMES = [
  'USER_FIELD_NAME_UNSPECIFIED',
  'USER_FIELD_NAME_USER_NAME',
  'USER_FIELD_NAME_FIRST_NAME',
  'USER_FIELD_NAME_LAST_NAME',
  'USER_FIELD_NAME_NICK_NAME',
  'USER_FIELD_NAME_DISPLAY_NAME',
  'USER_FIELD_NAME_EMAIL',
  'USER_FIELD_NAME_STATE',
  'USER_FIELD_NAME_TYPE',
  'USER_FIELD_NAME_CREATION_DATE',
] as const;

export type UserFieldName = (typeof USER_FIELD_NAMES)[number];

/** Nested or/and/not queries deeper than this are refused, as by the real server. */
const MAX_DEPTH = 20;

/** Turns snake_case keys into lowerCamelCase, since the gateway accepts both spellings. */
export function camelKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase()),
      camelKeys(inner),
    ]),
  );
}

/** An enum field as protojson reads it: its name, or its number. */
export function enumValue<T extends string>(
  values: readonly T[],
  raw: unknown,
  field: string,
  fallback: T,
): T {
  if (raw === undefined || raw === null) return fallback;
  const value = typeof raw === 'number' ? values[raw] : values.find((name) => name === raw);
  if (value === undefined) throw new InvalidArgument(`invalid value for enum field ${field}`);
  return value;
}

/** A uint field as protojson reads it: a number or a decimal string. */
export function uintValue(raw: unknown, field: string): number {
  if (raw === undefined || raw === null) return 0;
  const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new InvalidArgument(`invalid value for uint field ${field}`);
  }
  return value;
}

export function matches(user: SimUser, queries: readonly unknown[]): boolean {
  return queries.every((query) => evaluate(user, query, 1));
}

function evaluate(user: SimUser, query: unknown, depth: number): boolean {
  if (depth > MAX_DEPTH) throw new InvalidArgument('too many nested queries', 'USER-zsQ97');
  const entries = typeof query === 'object' && query !== null ? Object.entries(query) : [];
  const [entry] = entries;
  if (entries.length !== 1 || entry === undefined) {
    throw new InvalidArgument('each query must set exactly one of its oneof fields');
  }
  const [name, raw] = entry;
  const args = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const human = user.human;
  switch (name) {
    case 'inUserIdsQuery':
      return strings(args.userIds, 'userIds').includes(user.userId);
    case 'inUserEmailsQuery':
      return (
        human?.email.email !== undefined && strings(args.userEmails, 'userEmails').includes(human.email.email)
      );
    case 'userNameQuery':
      return text(user.username, args, 'userName');
    case 'firstNameQuery':
      return text(human?.profile.givenName, args, 'firstName');
    case 'lastNameQuery':
      return text(human?.profile.familyName, args, 'lastName');
    case 'nickNameQuery':
      return text(human?.profile.nickName, args, 'nickName');
    case 'displayNameQuery':
      return text(human?.profile.displayName, args, 'displayName');
    case 'emailQuery':
      return text(human?.email.email, args, 'emailAddress');
    case 'phoneQuery':
      return text(human?.phone.phone, args, 'number');
    case 'loginNameQuery':
      return (user.loginNames ?? []).some((loginName) => text(loginName, args, 'loginName'));
    case 'stateQuery':
      return (
        (user.state ?? 'USER_STATE_UNSPECIFIED') ===
        enumValue(USER_STATES, args.state, 'state', 'USER_STATE_UNSPECIFIED')
      );
    case 'typeQuery':
      return (
        (human ? 'TYPE_HUMAN' : 'TYPE_MACHINE') === enumValue(TYPES, args.type, 'type', 'TYPE_UNSPECIFIED')
      );
    case 'organizationIdQuery':
      return user.details.resourceOwner === requiredString(args.organizationId, 'organizationId');
    case 'orQuery':
      return list(args.queries).some((inner) => evaluate(user, inner, depth + 1));
    case 'andQuery':
      return list(args.queries).every((inner) => evaluate(user, inner, depth + 1));
    case 'notQuery':
      return !evaluate(user, args.query, depth + 1);
    default:
      throw new InvalidArgument(`unknown field "${name}"`);
  }
}

function text(value: string | undefined, args: Record<string, unknown>, field: string): boolean {
  const wanted = requiredString(args[field], field);
  const method = enumValue(TEXT_METHODS, args.method, 'method', 'TEXT_QUERY_METHOD_EQUALS');
  if (value === undefined) return false;
  const fold = method.endsWith('_IGNORE_CASE');
  const have = fold ? value.toLowerCase() : value;
  const want = fold ? wanted.toLowerCase() : wanted;
  if (method.startsWith('TEXT_QUERY_METHOD_EQUALS')) return have === want;
  if (method.startsWith('TEXT_QUERY_METHOD_STARTS_WITH')) return have.startsWith(want);
  if (method.startsWith('TEXT_QUERY_METHOD_CONTAINS')) return have.includes(want);
  return have.endsWith(want);
}

function requiredString(raw: unknown, field: string): string {
  if (typeof raw !== 'string') throw new InvalidArgument(`${field} must be a string`);
  return raw;
}

function strings(raw: unknown, field: string): string[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw) || !raw.every((item) => typeof item === 'string')) {
    throw new InvalidArgument(`${field} must be a list of strings`);
  }
  return raw;
}

function list(raw: unknown): unknown[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new InvalidArgument('queries must be a list');
  return raw;
}

type SortKey = string | number | null;

function sortKey(record: ZitadelRecord, column: UserFieldName): SortKey {
  const user = record.user;
  const profile = user.human?.profile;
  switch (column) {
    case 'USER_FIELD_NAME_USER_NAME':
      return user.username ?? null;
    case 'USER_FIELD_NAME_FIRST_NAME':
      return profile?.givenName ?? null;
    case 'USER_FIELD_NAME_LAST_NAME':
      return profile?.familyName ?? null;
    case 'USER_FIELD_NAME_NICK_NAME':
      return profile?.nickName ?? null;
    case 'USER_FIELD_NAME_DISPLAY_NAME':
      return profile?.displayName ?? null;
    case 'USER_FIELD_NAME_EMAIL':
      return user.human?.email.email ?? null;
    case 'USER_FIELD_NAME_STATE':
      return USER_STATES.indexOf((user.state ?? 'USER_STATE_UNSPECIFIED') as (typeof USER_STATES)[number]);
    case 'USER_FIELD_NAME_TYPE':
      return user.human ? 1 : 2;
    case 'USER_FIELD_NAME_CREATION_DATE':
      return record.createdAtMs;
    case 'USER_FIELD_NAME_UNSPECIFIED':
      return null;
  }
}

/**
 * Sorted like the server's SQL: by the column (NULLs last ascending, first descending), UNSPECIFIED
 * by user id. Ties break by user id so that offset paging is repeatable, which real SQL does not promise.
 */
export function sortRecords(
  records: readonly ZitadelRecord[],
  column: UserFieldName,
  asc: boolean,
): ZitadelRecord[] {
  const sorted = [...records].sort(
    (a, b) => compareKeys(sortKey(a, column), sortKey(b, column)) || compareIds(a.user.userId, b.user.userId),
  );
  return asc ? sorted : sorted.reverse();
}

function compareKeys(a: SortKey, b: SortKey): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/** Numeric ids compare as numbers (they exceed 2^53, so by length first). */
function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
