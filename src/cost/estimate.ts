import {
  type ArgumentNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  getOperationAST,
  isAbstractType,
  isObjectType,
  Kind,
  type SelectionSetNode,
} from 'graphql';
import { getArgumentValues } from 'graphql/execution/values.js';
import { decodeGroupId, decodeUserId } from '../directory/global-id.js';
import type { LifecycleAction } from '../directory/lifecycle.js';
import { MAX_REBASE_ROUNDS } from '../directory/merge.js';
import type { ProviderKind } from '../directory/model.js';
import type { CallRules } from '../directory/port.js';
import type { DirectoryRegistry } from '../directory/registry.js';
import { ACCOUNTS_PER_EMAIL } from './assumptions.js';

// The upstream calls an operation can make, per directory, worked out from the document, its variables
// and each provider's call rules (CallRules) before anything is sent. An upper bound: what the
// resolvers can do, with the data-dependent fan-outs (a user's emails, the accounts holding an email)
// bounded by the documented assumptions (assumptions.ts). The same numbers are the operation's hard
// ceiling while it runs (budget.ts), so an assumption that does not hold is refused, never exceeded.

export interface Estimate {
  /** Upper bound of upstream calls per directory name. */
  readonly perDirectory: Readonly<Record<string, number>>;
  readonly total: number;
  /**
   * Global ids as sent, at every place that takes them (node, nodes, user, directory.user, _entities),
   * duplicates, malformed ids and ids of other directories included; a fragment's places count
   * wherever it is spread.
   */
  readonly ids: number;
  /** Addresses as sent across every usersByEmail, counted the same way. */
  readonly emails: number;
}

/** What the walk may take in before it stops decoding entries: past a cap only counting goes on. */
export interface EntryCaps {
  readonly ids: number;
  readonly emails: number;
}

const NO_CAPS: EntryCaps = { ids: Number.POSITIVE_INFINITY, emails: Number.POSITIVE_INFINITY };

/** Users (or Directory objects) of each directory that can appear at one place of the answer. */
export type Counts = Map<string, number>;

interface SelectedField {
  readonly node: FieldNode;
  /** The type the field is selected on: the parent, or a fragment's type condition. */
  readonly on: GraphQLNamedType;
  readonly field: GraphQLField<unknown, unknown> | undefined;
}

const PROVIDER_TYPE: Readonly<Record<string, ProviderKind>> = {
  MonoCloudUser: 'monocloud',
  ZitadelUser: 'zitadel',
  AppServicesUser: 'app-services',
};

/** Conservative rules for a directory that states none (tests' fakes). */
const UNKNOWN_RULES: CallRules = {
  getUsers: (ids) => ids,
  listUsers: (limit) => limit,
  findUsersByEmail: (emails) => emails,
  passkeysPerUser: 1,
  identitiesPerUser: 1,
};

/** Per document (Yoga caches parsed documents): its fragments, and the fields of each selection set. */
const fragmentsOf = new WeakMap<DocumentNode, ReadonlyMap<string, FragmentDefinitionNode>>();
const selected = new WeakMap<SelectionSetNode, Map<string, readonly SelectedField[]>>();

export function estimateCalls(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | null | undefined,
  directories: DirectoryRegistry,
  caps: EntryCaps = NO_CAPS,
): Estimate {
  const operation = getOperationAST(document, operationName);
  // Queries and mutations (whose writes are calls like any other); subscriptions call nothing here.
  const root =
    operation?.operation === 'query'
      ? schema.getQueryType()
      : operation?.operation === 'mutation'
        ? schema.getMutationType()
        : null;
  if (operation === null || operation === undefined || !root) {
    return { perDirectory: {}, total: 0, ids: 0, emails: 0 };
  }
  const walk = new CostWalk(schema, document, variables ?? {}, directories, caps);
  walk.selection(operation.selectionSet, root, null, 1);
  return walk.result();
}

/** One estimate: walks the operation once, adding up calls per directory. */
class CostWalk {
  readonly names: readonly string[];
  private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  private readonly ids = new Map<string, Set<string>>();
  /** Ids loaded per place in the document: places resolved at different times are separate batches. */
  private readonly idBatches = new Map<string, number[]>();
  /** Entries as sent, counted before any of them is read (EntryCaps). */
  private sentIds = 0;
  sentEmails = 0;
  private readonly emailLookups = new Map<string, number>();
  private readonly calls = new Map<string, number>();

  constructor(
    private readonly schema: GraphQLSchema,
    document: DocumentNode,
    private readonly variables: Readonly<Record<string, unknown>>,
    readonly directories: DirectoryRegistry,
    readonly caps: EntryCaps,
  ) {
    this.names = directories.providers.map((directory) => directory.name);
    let fragments = fragmentsOf.get(document);
    if (fragments === undefined) {
      const found = new Map<string, FragmentDefinitionNode>();
      for (const definition of document.definitions) {
        if (definition.kind === Kind.FRAGMENT_DEFINITION) found.set(definition.name.value, definition);
      }
      fragments = found;
      fragmentsOf.set(document, fragments);
    }
    this.fragments = fragments;
  }

  result(): Estimate {
    for (const [name, ids] of this.ids) {
      // Each distinct id is fetched once per request (the loader caches it), and each place that loads
      // ids may be a batch of its own: the fewer of the two bounds.
      const rule = this.rules(name);
      const batches = (this.idBatches.get(name) ?? []).reduce(
        (calls, size) => calls + rule.getUsers(size),
        0,
      );
      this.add(name, Math.min(batches, rule.getUsers(1) * ids.size));
    }
    for (const [name, emails] of this.emailLookups) this.add(name, this.rules(name).findUsersByEmail(emails));
    let total = 0;
    for (const calls of this.calls.values()) total += calls;
    return {
      perDirectory: Object.fromEntries(this.calls),
      total,
      ids: this.sentIds,
      emails: this.sentEmails,
    };
  }

  /**
   * A selection over `count` objects of `type`; `counts` holds them per directory when they are users
   * or Directory objects. Each field is walked once, with the counts of all its instances added up, so
   * the walk is linear in the document however the counts multiply.
   */
  selection(set: SelectionSetNode | undefined, type: GraphQLNamedType, counts: Counts | null, count: number) {
    if (set === undefined || count === 0) return;
    for (const { node, on, field } of this.fieldsOf(set, type)) {
      if (field === undefined) continue;
      const here = counts === null ? null : this.narrow(counts, on);
      // Per directory the counts are upper bounds each; together never more than `count` (a merged page
      // of `first` holds at most `first` users, whichever directories they come from).
      const hereCount = here === null ? count : Math.min(count, sum(here));
      if (hereCount === 0) continue;
      const child = getNamedType(field.type);
      const next = (childCounts: Counts | null, childCount: number) =>
        this.selection(node.selectionSet, child, childCounts, childCount);
      const cost = (field.extensions?.pothosOptions as { upstreamCost?: FieldCost } | undefined)
        ?.upstreamCost;
      if (cost !== undefined) {
        cost(new Step(this, field, node, here, hereCount, next));
        continue;
      }
      // Users, connections, edges, accounts and Directory objects carry their counts down; other
      // objects (emails, passkeys, health…) make no call and hold no users.
      if (isObjectType(child) || isAbstractType(child)) next(here, hereCount);
    }
  }

  rules(name: string): CallRules {
    return this.directories.get(name)?.calls ?? UNKNOWN_RULES;
  }

  add(directory: string, calls: number): void {
    if (calls > 0) this.calls.set(directory, (this.calls.get(directory) ?? 0) + calls);
  }

  /** Counts ids as sent; false once the operation is past its cap. */
  countIds(count: number): boolean {
    this.sentIds += count;
    return this.sentIds <= this.caps.ids;
  }

  /** Counts a place's ids as sent; false once the operation is past its cap (nothing more is decoded). */
  sendsIds(node: FieldNode, argument: string): boolean {
    this.sentIds += this.entries(node, argument);
    return this.sentIds <= this.caps.ids;
  }

  /**
   * Entries of a list argument as sent, without coercing any: a literal list's items, a variable's
   * array length (one for a single value, as list coercion makes it), none when absent or null.
   */
  entries(node: FieldNode, argument: string): number {
    const given = node.arguments?.find((arg: ArgumentNode) => arg.name.value === argument)?.value;
    if (given === undefined || given.kind === Kind.NULL) return 0;
    if (given.kind === Kind.LIST) return given.values.length;
    if (given.kind !== Kind.VARIABLE) return 1;
    const value = this.variables[given.name.value];
    if (value === undefined || value === null) return 0;
    return Array.isArray(value) ? value.length : 1;
  }

  /** Arguments as execution will see them (variables and defaults); bad ones make the field call nothing. */
  args(field: GraphQLField<unknown, unknown>, node: FieldNode): Record<string, unknown> {
    try {
      return getArgumentValues(field, node, this.variables);
    } catch {
      return {};
    }
  }

  /** Every field selected on `type` (through fragments that apply to it), with its definition. */
  private fieldsOf(set: SelectionSetNode, type: GraphQLNamedType): readonly SelectedField[] {
    let byType = selected.get(set);
    if (byType === undefined) {
      byType = new Map();
      selected.set(set, byType);
    }
    let fields = byType.get(type.name);
    if (fields === undefined) {
      fields = this.collect(set, type, [], new Set());
      byType.set(type.name, fields);
    }
    return fields;
  }

  private collect(
    set: SelectionSetNode | undefined,
    type: GraphQLNamedType,
    out: SelectedField[],
    visited: Set<string>,
  ): SelectedField[] {
    if (set === undefined) return out;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const fields =
          isObjectType(type) || isAbstractType(type)
            ? (type as { getFields?: () => Record<string, GraphQLField<unknown, unknown>> }).getFields?.()
            : undefined;
        out.push({ node: selection, on: type, field: fields?.[selection.name.value] });
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? this.schema.getType(selection.typeCondition.name.value) : type;
        if (on) this.collect(selection.selectionSet, on, out, visited);
      } else {
        // Each fragment once per selection set, as execution collects fields (and a cycle ends here).
        const fragment = this.fragments.get(selection.name.value);
        if (fragment === undefined || visited.has(fragment.name.value)) continue;
        visited.add(fragment.name.value);
        const on = this.schema.getType(fragment.typeCondition.name.value);
        if (on) this.collect(fragment.selectionSet, on, out, visited);
      }
    }
    return out;
  }

  /** Narrows counts to the directories a type condition (`... on ZitadelUser`) applies to. */
  private narrow(counts: Counts, on: GraphQLNamedType): Counts {
    const provider = PROVIDER_TYPE[on.name];
    if (provider === undefined) return counts;
    const narrowed: Counts = new Map();
    for (const [name, count] of counts) {
      if (this.directories.get(name)?.provider === provider) narrowed.set(name, count);
    }
    return narrowed;
  }

  /** Ids one place of the document loads from a directory (one batch). */
  addIds(name: string, ids: readonly string[]): void {
    let set = this.ids.get(name);
    if (set === undefined) {
      set = new Set();
      this.ids.set(name, set);
    }
    for (const id of ids) set.add(id);
    const batches = this.idBatches.get(name) ?? [];
    batches.push(new Set(ids).size);
    this.idBatches.set(name, batches);
  }

  /** Users named by global ids, per directory (ids naming no readable directory fetch nothing). */
  byIds(ids: readonly unknown[]): Counts {
    const counts: Counts = new Map();
    const local = new Map<string, string[]>();
    for (const raw of ids) {
      if (typeof raw !== 'string') continue;
      const group = decodeGroupId(raw);
      if (group !== null) {
        // A group by id: one read of groups (the loader batches them per directory).
        if (this.directories.get(group.directory) === undefined) continue;
        this.add(group.directory, (this.rules(group.directory).groups ?? perItem)(1));
        counts.set(group.directory, (counts.get(group.directory) ?? 0) + 1);
        continue;
      }
      const ref = decodeUserId(raw);
      if (typeof ref === 'string' || this.directories.get(ref.directory) === undefined) continue;
      const found = local.get(ref.directory) ?? [];
      found.push(ref.localId);
      local.set(ref.directory, found);
      counts.set(ref.directory, (counts.get(ref.directory) ?? 0) + 1);
    }
    for (const [name, localIds] of local) this.addIds(name, localIds);
    return counts;
  }

  /** `count` email lookups in every directory; the accounts they can find, per directory. */
  lookUpEmails(count: number): Counts {
    const accounts: Counts = new Map();
    if (count === 0) return accounts;
    for (const name of this.names) {
      this.emailLookups.set(name, (this.emailLookups.get(name) ?? 0) + count);
      accounts.set(name, count * ACCOUNTS_PER_EMAIL);
    }
    return accounts;
  }

  /** `times` pages of a merged list over `listed`: each directory fetches a window after re-basing. */
  list(listed: readonly string[], first: number, filtered: boolean, times: number): Counts {
    const users: Counts = new Map();
    for (const name of listed) {
      // A position's skip stays under twice `first` (merge.ts), so no fetch asks for 2 × first users.
      const perPage = (MAX_REBASE_ROUNDS + 1) * this.rules(name).listUsers(2 * first, filtered);
      this.add(name, times * perPage);
      users.set(name, times * first);
    }
    return users;
  }
}

/** One call per item: the rule for a directory that states none. */
export const perItem = (n: number) => n;

export function sum(counts: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const n of counts.values()) total += n;
  return total;
}

export function listOf(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

export function positive(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.ceil(value) : fallback;
}

export function hasFilter(filter: unknown): boolean {
  return filter !== null && typeof filter === 'object' && Object.values(filter).some((v) => v != null);
}

/**
 * What one field costs, declared on the field (`upstreamCost` in its Pothos options, `costs(…)` in
 * builder.ts) and run by the walk at each place the field is selected: it adds the field's upstream
 * calls per directory and walks on into the field's selection with the objects it yields.
 */
export type FieldCost = (step: Step) => void;

/** One field at one place of the document, as its cost function sees it. */
export class Step {
  constructor(
    private readonly walk: CostWalk,
    private readonly field: GraphQLField<unknown, unknown>,
    private readonly node: FieldNode,
    /** The parent objects per directory (users, Directory objects, groups, changes); null when they are none of those. */
    readonly here: Counts | null,
    /** How many parent objects there are in all. */
    readonly count: number,
    /** Walks on into the field's selection with these objects. */
    readonly next: (counts: Counts | null, count: number) => void,
  ) {}

  private coerced: Record<string, unknown> | undefined;

  /** The field's arguments as execution will see them (variables and defaults); bad ones are none. */
  get args(): Record<string, unknown> {
    this.coerced ??= this.walk.args(this.field, this.node);
    return this.coerced;
  }

  /** The parent counts as a Counts map (a field on users or directories always has them). */
  get parents(): Counts {
    return this.here ?? new Map();
  }

  /** Every configured directory this caller may read. */
  get names(): readonly string[] {
    return this.walk.names;
  }

  /** Counts the ids an argument sends; false once the operation is past its cap (decode nothing more). */
  sendsIds(argument: string): boolean {
    return this.walk.sendsIds(this.node, argument);
  }

  /** Counts ids sent inside an input object (already coerced); false once past the cap. */
  countsIds(count: number): boolean {
    return this.walk.countIds(count);
  }

  /** Upstream calls one account's `action` makes in `directory` at most (0: it cannot act there). */
  actionCalls(directory: string, action: LifecycleAction): number {
    return this.walk.directories.get(directory)?.lifecycle?.maxCalls[action] ?? 0;
  }

  /** Counts the addresses an argument sends; false once past the cap. */
  sendsEmails(argument: string): boolean {
    this.walk.sentEmails += this.walk.entries(this.node, argument);
    return this.walk.sentEmails <= this.walk.caps.emails;
  }

  exists(directory: string): boolean {
    return this.walk.directories.get(directory) !== undefined;
  }

  rules(directory: string): CallRules {
    return this.walk.rules(directory);
  }

  add(directory: string, calls: number): void {
    this.walk.add(directory, calls);
  }

  /** Users (or groups) named by global ids: counted per directory, their reads batched. */
  byIds(ids: readonly unknown[]): Counts {
    return this.walk.byIds(ids);
  }

  /** Users one place loads by local id in a directory (one batch). */
  addIds(directory: string, ids: readonly string[]): void {
    this.walk.addIds(directory, ids);
  }

  /** `count` email lookups in every directory; the accounts they can find, per directory. */
  lookUpEmails(count: number): Counts {
    return this.walk.lookUpEmails(count);
  }

  /** `times` pages of a merged list over `directories`. */
  list(directories: readonly string[], first: number, filtered: boolean, times: number): Counts {
    return this.walk.list(directories, first, filtered, times);
  }
}
