import { type DocumentNode, type FragmentDefinitionNode, Kind, type SelectionSetNode } from 'graphql';

/** How big a document is, measured before it is validated or executed. */
export interface DocumentShape {
  /** Deepest field nesting of any operation (a root field is depth 1), through fragments; introspection aside. */
  readonly depth: number;
  /** Aliased fields after fragment expansion: an alias inside a fragment counts at every use. */
  readonly aliases: number;
  /** Directive uses anywhere in the document, as written. */
  readonly directives: number;
  /** Root fields of the largest operation, through fragments spread at the root. */
  readonly rootFields: number;
  /**
   * The expanded size: fields of every operation after fragment expansion, each fragment counted at
   * every place it is spread. What execution, graphql-jit's compiler and the cost walk can be made to
   * work through; a 1 KB document can expand to billions.
   */
  readonly fields: number;
}

/** Counts stop here: past any limit, and far from where a number loses precision. */
export const SATURATED = 2 ** 31 - 1;

const add = (a: number, b: number) => Math.min(SATURATED, a + b);

/** What one selection set (or fragment) expands to. */
interface Summary {
  readonly fields: number;
  readonly aliases: number;
  readonly depth: number;
  /** Fields at this level, through fragments spread here (a root selection's root fields). */
  readonly top: number;
}

const EMPTY: Summary = { fields: 0, aliases: 0, depth: 0, top: 0 };

const shapes = new WeakMap<DocumentNode, DocumentShape>();

/**
 * One pass over a parsed document, linear in its size: each fragment is summarised once (memoised by
 * name) and a spread adds its fragment's summary, so expanded counts come from addition, never from
 * walking an expansion; they saturate at SATURATED. Cached per document (Yoga caches parsed documents).
 * Fragment cycles and unknown fragments are left to validation: a fragment already on the path counts
 * as empty here, so the pass always ends.
 */
export function shapeOf(document: DocumentNode): DocumentShape {
  const known = shapes.get(document);
  if (known !== undefined) return known;
  const fragments = new Map<string, FragmentDefinitionNode>();
  let directives = 0;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    else if (definition.kind === Kind.OPERATION_DEFINITION) directives += definition.directives?.length ?? 0;
  }
  const summaries = new Map<string, Summary>();
  const inProgress = new Set<string>();

  const fragment = (name: string): Summary => {
    const done = summaries.get(name);
    if (done !== undefined) return done;
    const definition = fragments.get(name);
    if (definition === undefined || inProgress.has(name)) return EMPTY;
    inProgress.add(name);
    directives = add(directives, definition.directives?.length ?? 0);
    const summary = summarise(definition.selectionSet);
    inProgress.delete(name);
    summaries.set(name, summary);
    return summary;
  };

  // Directive uses are counted as written: each selection node is summarised once (fragments through
  // the memo), so each node's directives are seen once.
  const summarise = (set: SelectionSetNode): Summary => {
    let fields = 0;
    let aliases = 0;
    let depth = 0;
    let top = 0;
    for (const selection of set.selections) {
      directives = add(directives, selection.directives?.length ?? 0);
      if (selection.kind === Kind.FIELD) {
        const below = selection.selectionSet === undefined ? EMPTY : summarise(selection.selectionSet);
        fields = add(fields, add(1, below.fields));
        aliases = add(aliases, add(selection.alias === undefined ? 0 : 1, below.aliases));
        top = add(top, 1);
        // Introspection's nesting is the schema's own (GraphiQL's query is 15 deep through `ofType`); it
        // never reaches a directory, and whether it is allowed is the introspection policy's to say.
        const name = selection.name.value;
        if (name !== '__schema' && name !== '__type' && 1 + below.depth > depth) depth = 1 + below.depth;
        continue;
      }
      const inner =
        selection.kind === Kind.INLINE_FRAGMENT
          ? summarise(selection.selectionSet)
          : fragment(selection.name.value);
      fields = add(fields, inner.fields);
      aliases = add(aliases, inner.aliases);
      top = add(top, inner.top);
      if (inner.depth > depth) depth = inner.depth;
    }
    return { fields, aliases, depth, top };
  };

  let depth = 0;
  let aliases = 0;
  let rootFields = 0;
  let fields = 0;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const summary = summarise(definition.selectionSet);
    depth = Math.max(depth, summary.depth);
    rootFields = Math.max(rootFields, summary.top);
    aliases = add(aliases, summary.aliases);
    fields = add(fields, summary.fields);
  }
  // Fragments no operation spreads are still written: their directives count (validation refuses them).
  for (const name of fragments.keys()) fragment(name);
  const shape: DocumentShape = { depth, aliases, directives, rootFields, fields };
  shapes.set(document, shape);
  return shape;
}
