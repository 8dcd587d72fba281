import {
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  getOperationAST,
  isAbstractType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  type SelectionSetNode,
  TypeMetaFieldDef,
} from 'graphql';
import { SATURATED } from './shape.js';

const add = (a: number, b: number) => Math.min(SATURATED, a + b);

/**
 * How much code graphql-jit writes for an operation: one piece per field for each concrete type it can
 * be selected on. Below an abstract type (`User`, `Node`) the selection is written once per possible
 * type, and fragments are inlined where they are spread, so a short document with fragments nested
 * through `User` levels multiplies fast (compile time follows this figure: BENCHMARKS.md, "Hostile documents"). Memoised
 * per selection set and concrete type, so the pass is linear in the document times the schema's
 * object types, never in the expansion; it saturates at SATURATED. Duplicate spreads of one fragment
 * count twice (the compiler merges them): an upper bound.
 */
export function compiledSize(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName?: string | null,
): number {
  const operation = getOperationAST(document, operationName);
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const memo = new Map<SelectionSetNode, Map<string, number>>();
  const inProgress = new Set<SelectionSetNode>();

  const applies = (condition: string | undefined, type: GraphQLObjectType): boolean => {
    if (condition === undefined || condition === type.name) return true;
    const named = schema.getType(condition);
    return named !== undefined && isAbstractType(named) && schema.isSubType(named, type);
  };

  const ofType = (set: SelectionSetNode, type: GraphQLObjectType): number => {
    let byType = memo.get(set);
    const known = byType?.get(type.name);
    if (known !== undefined) return known;
    if (inProgress.has(set)) return 0;
    inProgress.add(set);
    let size = 0;
    const fields = type.getFields();
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        size = add(size, 1);
        const name = selection.name.value;
        const field =
          name === '__schema' ? SchemaMetaFieldDef : name === '__type' ? TypeMetaFieldDef : fields[name];
        if (field === undefined || selection.selectionSet === undefined) continue;
        size = add(size, below(selection.selectionSet, getNamedType(field.type)));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (applies(selection.typeCondition?.name.value, type)) {
          size = add(size, ofType(selection.selectionSet, type));
        }
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment !== undefined && applies(fragment.typeCondition.name.value, type)) {
          size = add(size, ofType(fragment.selectionSet, type));
        }
      }
    }
    inProgress.delete(set);
    if (byType === undefined) {
      byType = new Map();
      memo.set(set, byType);
    }
    byType.set(type.name, size);
    return size;
  };

  const below = (set: SelectionSetNode, type: ReturnType<typeof getNamedType>): number => {
    if (isObjectType(type)) return ofType(set, type);
    if (!isAbstractType(type)) return 0;
    let size = 0;
    for (const possible of schema.getPossibleTypes(type)) size = add(size, ofType(set, possible));
    return size;
  };

  return ofType(operation.selectionSet, root);
}
