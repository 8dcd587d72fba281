import { type DocumentNode, Kind, visit } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Principal } from '../../auth/principal.js';
import { CODE } from '../../codes/public-codes.js';
import { publicError } from '../../graphql/graphql-errors.js';

/** Fields that read the schema itself: GraphQL's introspection, and a subgraph's SDL (`_service`). */
const INTROSPECTION = new Set(['__schema', '__type', '_service']);

/**
 * Introspection (`__schema`, `__type`, and `_service { sdl }` in subgraph mode) only where it is allowed: for everyone when `introspection` is on
 * (the development default), else only for principals with `schema:introspect`. Decided per request
 * just before execution, not in validation, whose results Yoga caches per document for everyone.
 */
export function useIntrospectionPolicy(options: { readonly introspection: boolean }): Plugin<{
  principal: Principal;
}> {
  const introspects = new WeakMap<DocumentNode, boolean>();
  return {
    onExecute({ args, setResultAndStopExecution }) {
      if (options.introspection || args.contextValue.principal.scopes.has('schema:introspect')) return;
      let found = introspects.get(args.document);
      if (found === undefined) {
        found = false;
        visit(args.document, {
          [Kind.FIELD]: (node) => {
            if (INTROSPECTION.has(node.name.value)) found = true;
          },
        });
        introspects.set(args.document, found);
      }
      if (!found) return;
      setResultAndStopExecution({
        errors: [
          publicError(CODE.FORBIDDEN, 'Introspection is off here; it needs the scope "schema:introspect".', {
            scope: 'schema:introspect',
          }),
        ],
      });
    },
  };
}
