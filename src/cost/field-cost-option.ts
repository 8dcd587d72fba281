import type { FieldNullability, InputFieldMap, SchemaTypes, TypeParam } from '@pothos/core';
import type { FieldCost } from './estimate.js';

// The `upstreamCost` field option: what a field costs in upstream calls, declared where the field is
// defined (`costs(…)` in builder.ts), kept by Pothos in the field's `extensions.pothosOptions` and read by
// the estimate's one generic walk (estimate.ts). The field-scopes plugin's `requiredScopes` works the
// same way; this option needs no plugin of its own, nothing wraps the resolver.

declare global {
  export namespace PothosSchemaTypes {
    export interface FieldOptions<
      Types extends SchemaTypes,
      ParentShape,
      Type extends TypeParam<Types>,
      Nullable extends FieldNullability<Type>,
      Args extends InputFieldMap,
      ResolveShape,
      ResolveReturnShape,
    > {
      /** Upstream calls this field makes (set with `costs(…)`); none: it only carries its parent's counts. */
      upstreamCost?: FieldCost;
    }
  }
}
