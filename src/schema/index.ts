import { builder } from '../builder.js';
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
import './federation.js';
import './health.js';

import type { GraphQLSchema } from 'graphql';
import { settleListItems } from './settle-lists.js';

/** The schema is the same for every deployment: directories are data, not types. */
export const schema = settleListItems(builder.toSchema());

let subgraph: GraphQLSchema | undefined;

/** The same types as an Apollo Federation 2 subgraph (`_entities`, `_service`, `@key`s); built on first use. */
export function subgraphSchema(): GraphQLSchema {
  subgraph ??= settleListItems(
    builder.toSubGraphSchema({ linkUrl: 'https://specs.apollo.dev/federation/v2.6' }),
  );
  return subgraph;
}
