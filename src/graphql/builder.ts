import SchemaBuilder from '@pothos/core';
import DirectivePlugin from '@pothos/plugin-directives';
import FederationPlugin from '@pothos/plugin-federation';
import type { Scope } from '../auth/scopes.js';
import type { Context } from './context.js';
import FieldScopesPlugin from './field-scopes-plugin.js';
import ScopesOnObjectsPlugin from './scopes-on-objects-plugin.js';
import '../cost/field-cost-option.js';
import type { FieldCost } from '../cost/estimate.js';

// The one SchemaBuilder. Outputs are non-null and arguments required unless a field says otherwise,
// so every nullable fact in the schema is a deliberate choice.
export const builder = new SchemaBuilder<{
  Context: Context;
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: true;
  FederationScopes: Scope;
  Scalars: {
    // Instants of the model are epoch milliseconds (src/directory/model.ts `Timestamp`).
    DateTime: { Input: Date; Output: number | string | Date };
    JSON: { Input: unknown; Output: unknown };
  };
}>({
  // Field scopes are checked before a resolver runs (so a refused field costs no upstream call);
  // federation adds entity keys and @requiresScopes, so the plain API (toSchema) and the subgraph
  // (toSubGraphSchema) share every type definition.
  plugins: [FieldScopesPlugin, DirectivePlugin, FederationPlugin, ScopesOnObjectsPlugin],
  defaultFieldNullability: false,
  defaultInputFieldRequiredness: true,
});

/**
 * What a field needs, for both checks: usergraph's own (field-scopes-plugin.ts, before the resolver)
 * and the gateway's in subgraph mode (`@requiresScopes` in the subgraph SDL). The field must be
 * nullable: a refused field is null with a FORBIDDEN error, and the rest of the answer stands.
 */
export function needs(...scopes: [Scope, ...Scope[]]) {
  return { requiredScopes: scopes, requiresScopes: [scopes] as Scope[][] };
}

/** What a field costs in upstream calls, read by the estimate (src/cost/estimate.ts) before execution. */
export function costs(upstreamCost: FieldCost) {
  return { upstreamCost };
}
