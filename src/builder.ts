import SchemaBuilder from '@pothos/core';
import DirectivePlugin from '@pothos/plugin-directives';
import FederationPlugin from '@pothos/plugin-federation';
import type { Context } from './context.js';

// The one SchemaBuilder. Outputs are non-null and arguments required unless a field says otherwise,
// so every nullable fact in the schema is a deliberate choice.
export const builder = new SchemaBuilder<{
  Context: Context;
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: true;
  Scalars: {
    DateTime: { Input: Date; Output: string | Date };
    JSON: { Input: unknown; Output: unknown };
  };
}>({
  // Federation adds entity keys; the plain API (toSchema) and the subgraph (toSubGraphSchema) share
  // every type definition.
  plugins: [DirectivePlugin, FederationPlugin],
  defaultFieldNullability: false,
  defaultInputFieldRequiredness: true,
});
