import {
  type DocumentNode,
  type FragmentDefinitionNode,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** How big a document is, measured before it is validated or executed. */
export interface DocumentShape {
  /** Deepest field nesting of any operation (a root field is depth 1), through fragments; introspection aside. */
  readonly depth: number;
  /** Aliased fields, counted over the document as written (fragments once). */
  readonly aliases: number;
  /** Directive uses anywhere in the document. */
  readonly directives: number;
  /** Root fields of the largest operation, through fragments spread at the root. */
  readonly rootFields: number;
}

const shapes = new WeakMap<DocumentNode, DocumentShape>();

/**
 * One pass over a parsed document (cached per document: Yoga caches parsed documents, so this runs once
 * per distinct query). Fragment cycles and unknown fragments are left to validation: a fragment already
 * on the path counts as a leaf here, so the walk always ends.
 */
export function shapeOf(document: DocumentNode): DocumentShape {
  const known = shapes.get(document);
  if (known !== undefined) return known;
  const fragments = new Map<string, FragmentDefinitionNode>();
  let aliases = 0;
  let directives = 0;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  // Aliases and directives as written: each node once.
  const count = (set: SelectionSetNode | undefined) => {
    if (set === undefined) return;
    for (const selection of set.selections) {
      directives += selection.directives?.length ?? 0;
      if (selection.kind === Kind.FIELD) {
        if (selection.alias !== undefined) aliases += 1;
        count(selection.selectionSet);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        count(selection.selectionSet);
      }
    }
  };
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION || definition.kind === Kind.FRAGMENT_DEFINITION) {
      directives += definition.directives?.length ?? 0;
      count(definition.selectionSet);
    }
  }
  // Depth through fragments, memoised per fragment. Introspection (`__schema`, `__type`) is left out:
  // its nesting is the schema's own (GraphiQL's query is 15 deep through `ofType`), it never reaches
  // a directory, and whether it is allowed at all is the introspection policy's to say.
  const fragmentDepth = new Map<string, number>();
  const depthOf = (set: SelectionSetNode | undefined, path: Set<string>): number => {
    if (set === undefined) return 0;
    let deepest = 0;
    for (const selection of set.selections) {
      let depth = 0;
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name === '__schema' || name === '__type') continue;
        depth = 1 + depthOf(selection.selectionSet, path);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) depth = depthOf(selection.selectionSet, path);
      else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (fragment === undefined || path.has(name)) continue;
        let known = fragmentDepth.get(name);
        if (known === undefined) {
          path.add(name);
          known = depthOf(fragment.selectionSet, path);
          path.delete(name);
          fragmentDepth.set(name, known);
        }
        depth = known;
      }
      if (depth > deepest) deepest = depth;
    }
    return deepest;
  };
  const rootFieldsOf = (set: SelectionSetNode, path: Set<string>): number => {
    let fields = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) fields += 1;
      else if (selection.kind === Kind.INLINE_FRAGMENT) fields += rootFieldsOf(selection.selectionSet, path);
      else {
        const fragment = fragments.get(selection.name.value);
        if (fragment === undefined || path.has(fragment.name.value)) continue;
        path.add(fragment.name.value);
        fields += rootFieldsOf(fragment.selectionSet, path);
        path.delete(fragment.name.value);
      }
    }
    return fields;
  };
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  const shape: DocumentShape = {
    depth: Math.max(0, ...operations.map((operation) => depthOf(operation.selectionSet, new Set()))),
    aliases,
    directives,
    rootFields: Math.max(
      0,
      ...operations.map((operation) => rootFieldsOf(operation.selectionSet, new Set())),
    ),
  };
  shapes.set(document, shape);
  return shape;
}
