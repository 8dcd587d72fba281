import SchemaBuilder from '@pothos/core';
import DirectivePlugin from '@pothos/plugin-directives';
import FederationPlugin from '@pothos/plugin-federation';
import ScopeAuthPlugin, { type AuthFailure, AuthScopeFailureType } from '@pothos/plugin-scope-auth';
import type { Scope } from './auth/scopes.js';
import ScopesOnObjectsPlugin from './auth/scopes-on-objects-plugin.js';
import type { Context } from './context.js';
import { forbidden } from './graphql-errors.js';

// The one SchemaBuilder. Outputs are non-null and arguments required unless a field says otherwise,
// so every nullable fact in the schema is a deliberate choice.
export const builder = new SchemaBuilder<{
  Context: Context;
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: true;
  AuthScopes: Record<Scope, boolean>;
  FederationScopes: Scope;
  Scalars: {
    DateTime: { Input: Date; Output: string | Date };
    JSON: { Input: unknown; Output: unknown };
  };
}>({
  // Scope auth checks a field's scope before its resolver runs (so a refused field costs no upstream
  // call); federation adds entity keys and @requiresScopes, so the plain API (toSchema) and the subgraph
  // (toSubGraphSchema) share every type definition.
  plugins: [ScopeAuthPlugin, DirectivePlugin, FederationPlugin, ScopesOnObjectsPlugin],
  defaultFieldNullability: false,
  defaultInputFieldRequiredness: true,
  scopeAuth: {
    authScopes: (ctx) => ctx.grants,
    unauthorizedError: (_parent, _ctx, _info, result) => forbidden(missingScope(result.failure)),
  },
});

/**
 * What a field needs, for both checks: usergraph's own (scope auth, before the resolver) and the
 * gateway's in subgraph mode (`@requiresScopes` in the subgraph SDL). The field must be nullable: a
 * refused field is null with a FORBIDDEN error, and the rest of the answer stands.
 */
export function needs(...scopes: [Scope, ...Scope[]]) {
  const all = Object.fromEntries(scopes.map((scope) => [scope, true])) as Partial<Record<Scope, boolean>>;
  return {
    authScopes: scopes.length === 1 ? all : { $all: all },
    requiresScopes: [scopes] as Scope[][],
  };
}

function missingScope(failure: AuthFailure): string {
  if (failure.kind === AuthScopeFailureType.AuthScope) return failure.scope;
  if (
    failure.kind === AuthScopeFailureType.AnyAuthScopes ||
    failure.kind === AuthScopeFailureType.AllAuthScopes
  ) {
    for (const child of failure.failures) {
      const scope = missingScope(child);
      if (scope !== '') return scope;
    }
  }
  return '';
}
