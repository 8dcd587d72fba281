import SchemaBuilder, {
  BasePlugin,
  type FieldNullability,
  type InputFieldMap,
  type PothosOutputFieldConfig,
  type SchemaTypes,
  type TypeParam,
} from '@pothos/core';
import { defaultFieldResolver, type GraphQLField, type GraphQLFieldResolver } from 'graphql';
import type { Scope } from '../auth/scopes.js';
import { forbidden } from './graphql-errors.js';

// Field scopes: a field declares the scopes it needs (`needs(…)` in builder.ts) and this plugin checks
// them before the resolver runs, against the principal's grants in the context; a field the caller may
// not read throws FORBIDDEN naming the missing scope (GraphQL makes it null; the rest of the answer
// stands) and its resolver, with whatever upstream call it would make, never runs.
//
// Why not @pothos/plugin-scope-auth, which does this too: its per-field machinery (request cache, scope
// maps, step runner) more than doubles the execution of a 60-user query; this check is one property
// read (BENCHMARKS.md, "Hand-tuned spots").

const NAME = 'fieldScopes';

/** The context this plugin reads: the principal's scopes as a record. */
interface Grants {
  readonly grants: Readonly<Record<Scope, boolean>>;
}

class FieldScopesPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    const scopes = (fieldConfig.pothosOptions as { requiredScopes?: readonly Scope[] }).requiredScopes;
    if (scopes === undefined || scopes.length === 0) return resolver;
    return checked(scopes, resolver);
  }
}

function checked<R extends GraphQLFieldResolver<unknown, never, never>>(
  scopes: readonly Scope[],
  resolver: R,
): R {
  return ((parent, args, context, info) => {
    const { grants } = context as Grants;
    for (const scope of scopes) if (!grants[scope]) throw forbidden(scope);
    return resolver(parent, args, context, info);
  }) as R;
}

/**
 * The same check on a field Pothos did not build (Apollo Federation's `_entities`, added by the
 * federation plugin to the finished schema), with the scopes recorded where the plugin's own fields
 * keep them (`extensions.pothosOptions.requiredScopes`), so everything that reads a field's scopes
 * reads these too.
 */
export function requireScopes(field: GraphQLField<unknown, unknown>, scopes: readonly Scope[]): void {
  const pothosOptions = {
    ...(field.extensions?.pothosOptions as object | undefined),
    requiredScopes: scopes,
  };
  Object.assign(field, {
    resolve: checked(scopes, field.resolve ?? defaultFieldResolver),
    extensions: { ...field.extensions, pothosOptions },
  });
}

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      fieldScopes: FieldScopesPlugin<Types>;
    }
    export interface FieldOptions<
      Types extends SchemaTypes,
      ParentShape,
      Type extends TypeParam<Types>,
      Nullable extends FieldNullability<Type>,
      Args extends InputFieldMap,
      ResolveShape,
      ResolveReturnShape,
    > {
      /** Every scope the caller needs to read this field (set with `needs(…)`). */
      requiredScopes?: readonly Scope[];
    }
  }
}

SchemaBuilder.registerPlugin(NAME, FieldScopesPlugin);

export default NAME;
