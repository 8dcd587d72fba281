import type { GraphQLField } from 'graphql';
import type { FieldCost } from './estimate.js';

/**
 * A cost on a field Pothos did not build (Apollo Federation's `_entities`, added by the federation
 * plugin to the finished schema), kept where Pothos keeps the other fields' (`extensions.pothosOptions`).
 */
export function declareCost(field: GraphQLField<unknown, unknown>, upstreamCost: FieldCost): void {
  const pothosOptions = { ...(field.extensions?.pothosOptions as object | undefined), upstreamCost };
  Object.assign(field, { extensions: { ...field.extensions, pothosOptions } });
}
