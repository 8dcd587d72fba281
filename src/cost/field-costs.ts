import { encodeUserId } from '../directory/global-id.js';
import { type LifecycleAction, MAX_ACCOUNTS_PER_ACTION } from '../directory/lifecycle.js';
import type { CallRules } from '../directory/port.js';
import { ACCOUNTS_PER_EMAIL, GROUPS_PER_DIRECTORY, LINKED_EMAILS_PER_USER } from './assumptions.js';
import { type Counts, type FieldCost, hasFilter, listOf, perItem, positive, sum } from './estimate.js';

// The kinds of upstream cost a field can have, each a FieldCost a field names where it is defined
// (`...costs(usersById('ids'))`). Parameterised by the field's arguments and the provider's call rules
// (CallRules), never by a field's name: the walk (estimate.ts) knows no field.

const DEFAULT_FIRST = 20;
const DEFAULT_CHANGES = 100;

/**
 * Users (or groups) by global id: `node(id)`, `user(id)`, `nodes(ids)`. Every id sent counts toward
 * the operation's cap before any is decoded; past it nothing more is read.
 */
export function usersById(argument: string): FieldCost {
  return (step) => {
    if (!step.sendsIds(argument)) return;
    const ids = listOf(step.args[argument]);
    const given = Array.isArray(step.args[argument]) ? ids : [step.args[argument]];
    step.next(step.byIds(given), given.length);
  };
}

/** Federation's `_entities(representations)`: each representation's id, or the one `directoryName localId` make. */
export const entitiesById: FieldCost = (step) => {
  if (!step.sendsIds('representations')) return;
  const ids = listOf(step.args.representations).map(referenceId);
  step.next(step.byIds(ids), ids.length);
};

/** `directories`: every Directory object the caller may read. */
export const everyDirectory: FieldCost = (step) => {
  step.next(new Map(step.names.map((name) => [name, 1])), step.names.length);
};

/** `directory(name)`: that Directory object, when it is configured and readable. */
export const directoryByName: FieldCost = (step) => {
  const { name } = step.args;
  if (typeof name === 'string' && step.exists(name)) step.next(new Map([[name, 1]]), 1);
};

/** `users(first, filter, directories)`: a merged page over the chosen directories. */
export const mergedUsers: FieldCost = (step) => {
  const args = step.args;
  const chosen = Array.isArray(args.directories) ? (args.directories as unknown[]) : null;
  const listed = chosen === null ? step.names : step.names.filter((name) => chosen.includes(name));
  const first = positive(args.first, DEFAULT_FIRST);
  step.next(step.list(listed, first, hasFilter(args.filter), 1), first);
};

/** `Directory.users`: a page of each Directory object's own users. */
export const directoryUsers: FieldCost = (step) => {
  const args = step.args;
  const first = positive(args.first, DEFAULT_FIRST);
  const found: Counts = new Map();
  for (const [name, times] of step.parents) {
    for (const [n, c] of step.list([name], first, hasFilter(args.filter), times)) found.set(n, c);
  }
  step.next(found, sum(found));
};

/** `Directory.user(id)`: one user by the provider's own id in each Directory object. */
export const directoryUserById: FieldCost = (step) => {
  if (!step.sendsIds('id')) return;
  const { id } = step.args;
  if (typeof id === 'string') for (const name of step.parents.keys()) step.addIds(name, [id]);
  step.next(step.here, step.count);
};

/** `usersByEmail(emails)`: every address sent counts toward the cap; each is looked up in every directory. */
export const usersByEmail: FieldCost = (step) => {
  if (!step.sendsEmails('emails')) return;
  const emails = listOf(step.args.emails).filter((email): email is string => typeof email === 'string');
  // The counts carried down are of the accounts found (the EmailAccounts objects cost nothing).
  const accounts = step.lookUpEmails(emails.length);
  step.next(accounts, sum(accounts));
};

/** `linkedAccounts`: each user's verified addresses looked up in every directory (assumptions.ts). */
export const linkedAccounts: FieldCost = (step) => {
  const emails = step.count * LINKED_EMAILS_PER_USER;
  step.next(step.lookUpEmails(emails), emails * ACCOUNTS_PER_EMAIL * step.names.length);
};

/** A fact read per user where the provider keeps it apart (ZITADEL's passkeys and IdP links). */
export function perUser(calls: (rules: CallRules) => number): FieldCost {
  return (step) => {
    for (const [name, times] of step.parents) step.add(name, times * calls(step.rules(name)));
    step.next(null, step.count);
  };
}

/** A fact read for a batch of users at once (roles, sessions): the provider's rule for that many. */
export function perUserBatch(rule: (rules: CallRules) => ((users: number) => number) | undefined): FieldCost {
  return (step) => {
    for (const [name, times] of step.parents) step.add(name, (rule(step.rules(name)) ?? perItem)(times));
    step.next(null, step.count);
  };
}

/** `User.groups`: the users' memberships, then the groups they name (bounded: assumptions.ts). */
export const userGroups: FieldCost = (step) => {
  const first = positive(step.args.first, DEFAULT_FIRST);
  const groups: Counts = new Map();
  for (const [name, times] of step.parents) {
    const rules = step.rules(name);
    step.add(name, (rules.userGroups ?? perItem)(times));
    step.add(name, (rules.groups ?? perItem)(Math.min(times * first, GROUPS_PER_DIRECTORY)));
    groups.set(name, times * first);
  }
  step.next(groups, sum(groups));
};

/** A page of groups (`Directory.groups`) or of a group's members, whose users are then read by id. */
export function groupPage(readsUsers: boolean): FieldCost {
  return (step) => {
    const first = positive(step.args.first, DEFAULT_FIRST);
    const found: Counts = new Map();
    for (const [name, times] of step.parents) {
      const rules = step.rules(name);
      const users = readsUsers ? rules.getUsers(first) : 0;
      step.add(name, times * ((rules.groupPage ?? perItem)(first) + users));
      found.set(name, times * first);
    }
    step.next(found, sum(found));
  };
}

/** `Directory.capabilities`: the provider's feature probe. */
export const capabilities: FieldCost = (step) => {
  for (const [name, times] of step.parents) step.add(name, times * (step.rules(name).capabilities ?? 1));
};

/** A page of the change feed: of the chosen directories (`changes`) or of each Directory object. */
export function changesPage(scope: 'chosen' | 'parent'): FieldCost {
  return (step) => {
    const args = step.args;
    const first = positive(args.first, DEFAULT_CHANGES);
    let counts: Counts;
    if (scope === 'chosen') {
      const chosen = Array.isArray(args.directories) ? (args.directories as unknown[]) : null;
      counts = new Map(
        step.names.filter((name) => chosen === null || chosen.includes(name)).map((name) => [name, 1]),
      );
    } else counts = step.parents;
    const changes: Counts = new Map();
    for (const [name, times] of counts) {
      step.add(name, times * (step.rules(name).changes ?? perItem)(first));
      changes.set(name, times * first);
    }
    step.next(changes, sum(changes));
  };
}

/** `Change.user`: the users the changes name, read by id. */
export const changeUser: FieldCost = (step) => {
  for (const [name, times] of step.parents) step.add(name, step.rules(name).getUsers(times));
  step.next(step.here, step.count);
};

/** A federation representation's global id: its `id`, or the one `directoryName localId` stand for. */
function referenceId(reference: unknown): string {
  const r = reference as { id?: unknown; directoryName?: unknown; localId?: unknown } | null;
  if (typeof r?.id === 'string') return r.id;
  return typeof r?.directoryName === 'string' && typeof r.localId === 'string'
    ? encodeUserId(r.directoryName, r.localId)
    : '';
}

/**
 * An action on a person (`suspendPerson`…): the accounts named by id, the same person's accounts found
 * by verified address (assumptions.ts), and per account the most calls the directory's action makes
 * (reads before and after included). Ids inside the input count toward the operation's cap.
 */
export function personAction(action: LifecycleAction, reachesLinked: boolean): FieldCost {
  return (step) => {
    const input = (step.args.input ?? {}) as Record<string, unknown>;
    const ids = input.userId === undefined ? listOf(input.userIds) : [input.userId];
    if (!step.countsIds(ids.length)) return;
    const accounts: Counts = new Map(step.byIds(ids));
    const linked = reachesLinked && input.includeLinked !== false;
    const emails =
      (typeof input.email === 'string' ? 1 : 0) + (linked ? ids.length * LINKED_EMAILS_PER_USER : 0);
    for (const [name, count] of step.lookUpEmails(emails))
      accounts.set(name, (accounts.get(name) ?? 0) + count);
    for (const [name, count] of accounts) {
      step.add(name, Math.min(count, MAX_ACCOUNTS_PER_ACTION) * step.actionCalls(name, action));
    }
    step.next(null, 1);
  };
}
