import { matchesFilter, type UserFilter } from '../../src/directory/filter.js';
import type { Timestamp, User } from '../../src/directory/model.js';
import type {
  DirectoryProvider,
  ListPosition,
  PageRequest,
  SortDirection,
} from '../../src/directory/port.js';
import { formatTimestamp } from '../../src/directory/timestamp.js';

export interface Paged {
  readonly users: User[];
  readonly calls: number;
  readonly exhausted: number;
}

/** Follows nextCursor to the end, as a client would, even across pages cut short by the scan budget. */
export async function pageAll(
  provider: DirectoryProvider,
  request: Omit<PageRequest, 'cursor'>,
): Promise<Paged> {
  const users: User[] = [];
  let cursor: ListPosition | null = null;
  let calls = 0;
  let exhausted = 0;
  do {
    const page = await provider.listUsers({ ...request, cursor });
    calls += 1;
    if (page.budgetExhausted) exhausted += 1;
    if (page.users.length > request.limit) throw new Error('page longer than limit');
    users.push(...page.users);
    cursor = page.nextCursor;
    if (calls > 2000) throw new Error('paging does not end');
  } while (cursor !== null);
  return { users, calls, exhausted };
}

export const ids = (users: readonly User[]): string[] => users.map((user) => user.localId);

export function expected(all: readonly User[], filter: UserFilter): string[] {
  return ids(all.filter((user) => matchesFilter(user, filter)));
}

/** A user's creation time as a filter takes it (RFC 3339); '' for none. */
export function filterTime(at: Timestamp | null | undefined): string {
  return at === null || at === undefined ? '' : formatTimestamp(at);
}

/** A spread of filters built from the directory's own users, so each one matches something. */
export function filterCases(all: readonly User[]): UserFilter[] {
  const withEmail = all.filter((user) => user.emails.length > 0);
  const email = withEmail[Math.floor(withEmail.length / 2)]?.emails[0]?.address ?? 'nobody@example.com';
  const dated = all
    .map((user) => user.createdAt)
    .filter((at): at is number => at !== null)
    .sort((a, b) => a - b);
  const lower = filterTime(dated[Math.floor(dated.length / 4)]) || '2000-01-01T00:00:00.000Z';
  const upper = filterTime(dated[Math.floor((dated.length * 3) / 4)]) || '2100-01-01T00:00:00.000Z';
  const named = all.find((user) => user.givenName !== null && user.familyName !== null);
  return [
    { email: `  ${email.toUpperCase()} ` },
    { text: 'an' },
    { text: 'EXAMPLE' },
    { text: named ? `${named.givenName} ${named.familyName}` : 'a b' },
    { status: ['ACTIVE'] },
    { status: ['DISABLED', 'BLOCKED', 'LOCKED', 'INACTIVE'] },
    { kind: 'HUMAN' },
    { kind: 'MACHINE' },
    { createdAfter: lower },
    { createdBefore: upper },
    { createdAfter: lower, createdBefore: upper, text: 'e' },
    { text: 'a', status: ['ACTIVE'], kind: 'HUMAN' },
    { text: 'zzzz-no-such-user' },
  ];
}

export const DIRECTIONS: readonly SortDirection[] = ['ASC', 'DESC'];
