import type { GraphQLSchema } from 'graphql';
import { declareCost } from '../cost/declare-cost.js';
import { entitiesById } from '../cost/field-costs.js';
import { builder } from '../graphql/builder.js';
import { requireScopes } from '../graphql/field-scopes-plugin.js';
import './scalars.js';
import './query.js';
import './node.js';
import './directory.js';
import './contact.js';
import './credentials.js';
import './user.js';
import './monocloud-user.js';
import './zitadel-user.js';
import './app-services-user.js';
import './email-lookup.js';
import './user-connection.js';
import './list-connection.js';
import './group.js';
import './role.js';
import './session.js';
import './changes.js';
import './actions.js';
import './webhooks.js';
import { declareUserEntities } from './federation.js';
import './directory-health.js';

/**
 * The schema, built anew on each call (one per app, so an executor's adjustments stay its own). It is
 * the same for every deployment: directories are data, not types. With `federation` it is the Apollo
 * Federation 2 subgraph (`_entities`, `_service`, `@key`s) over the same types, with `@requiresScopes`
 * on every field that needs a scope unless `authDirectives` is false.
 */
export function buildSchema(
  options: {
    readonly federation?: boolean;
    readonly authDirectives?: boolean;
    /** Also key users by `directoryName localId` (for @apollo/gateway; Hive Gateway ≤ 2.15 cannot plan it). */
    readonly compositeKey?: boolean;
  } = {},
): GraphQLSchema {
  if (!options.federation) return builder.toSchema();
  declareUserEntities(options.compositeKey ?? false);
  const schema = builder.toSubGraphSchema({
    linkUrl: 'https://specs.apollo.dev/federation/v2.6',
    authDirectives: options.authDirectives ?? true,
  });
  // `_entities` reads users (and groups) by id as `nodes` does, so it needs what `nodes` needs; `_service`
  // is introspection (plugins/use-introspection-policy.ts).
  const entities = schema.getQueryType()?.getFields()._entities;
  if (entities !== undefined) {
    requireScopes(entities, ['users:read']);
    declareCost(entities, entitiesById);
  }
  return schema;
}
