import SchemaBuilder from '@pothos/core';
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
  defaultFieldNullability: false,
  defaultInputFieldRequiredness: true,
});
