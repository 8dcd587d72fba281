import { directoryName, type ProviderKey } from './directories.js';
import type { SimulatorsInfo } from './simulators-process.js';

// The bench's operations. The gateway parses the GraphQL; the floor routes on operationName and reads
// only the variables, so the query text is the gateway's alone.

export type Counts = Partial<Record<ProviderKey, Record<string, number>>>;

export interface Scenario {
  readonly id: string;
  readonly title: string;
  /** Directory instances per provider in the configuration it runs against. */
  readonly instances: number;
  /** The request body, from the simulators' local ids. */
  body(ids: SimulatorsInfo['ids']): string;
  /** Upstream requests per operation a client of the documented contracts cannot go below, when known. */
  readonly minimum?: Counts;
  /** Also compare CPU per operation at one fixed request rate (the headline scenarios). */
  readonly equalRate?: boolean;
  /** Run with the user cache on (and warm: the warm-up fills it); the floor has no cache. */
  readonly cache?: boolean;
  /** The gateway's directories as the example configuration writes them: no `resilience:` (issue 18). */
  readonly defaults?: boolean;
  /** Also the median latency of one client sending one operation after another. */
  readonly sequential?: boolean;
  /**
   * A quota the simulators enforce (requests/s per simulator): the gateway alone is measured, as the
   * share of the quota it uses and the 429s it causes (the floor has no quota handling).
   */
  readonly quota?: Partial<Record<ProviderKey, number>>;
}

export const USER = `query User($id: ID!) {
  user(id: $id) { id displayName emails { address verified } }
}`;

export const NODES = `query Nodes($ids: [ID!]!) {
  nodes(ids: $ids) { id ... on User { displayName emails { address verified } } }
}`;

export const MERGED_PAGE = `query MergedPage($first: Int!) {
  users(first: $first) {
    nodes { id displayName emails { address verified } linkedAccounts { matchedEmail user { id } } }
  }
}`;

export const ACCESS_PAGE = `query AccessPage($directory: String!, $first: Int!) {
  directory(name: $directory) {
    users(first: $first) { nodes { id displayName groups { nodes { name } } roles { nodes { roleKey } } } }
  }
}`;

const globalId = (directory: string, localId: string) =>
  Buffer.from(`u1:${directory}:${localId}`, 'utf8').toString('base64url');

/** `n` ids spread evenly over the directory's list (examples and generated users alike). */
export function spread(ids: readonly string[], n: number): string[] {
  if (n > ids.length) throw new Error(`the simulators hold ${ids.length} users, the bench needs ${n}`);
  return Array.from({ length: n }, (_, i) => ids[Math.floor((i * ids.length) / n)] as string);
}

const PROVIDERS: readonly ProviderKey[] = ['monocloud', 'zitadel', 'appServices'];

function nodesScenario(id: string, title: string, perProvider: number, instances: number): Scenario {
  const perInstance = Math.ceil(perProvider / instances);
  return {
    id,
    title,
    instances,
    body: (ids) =>
      JSON.stringify({
        query: NODES,
        operationName: 'Nodes',
        variables: {
          ids: PROVIDERS.flatMap((provider) =>
            spread(ids[provider], perProvider).map((localId, i) =>
              globalId(directoryName(provider, i % instances, instances), localId),
            ),
          ),
        },
      }),
    minimum: {
      monocloud: { getUser: perProvider },
      // One POST /v2/users per directory instance and per 100 ids (chunkSize).
      zitadel: { listUsers: instances * Math.ceil(perInstance / 100) },
      appServices: { getUser: perProvider },
    },
  };
}

const S1: Scenario = {
  id: 'S1',
  title: 'one user by id (MonoCloud)',
  instances: 1,
  body: (ids) =>
    JSON.stringify({
      query: USER,
      operationName: 'User',
      variables: { id: globalId(directoryName('monocloud', 0, 1), spread(ids.monocloud, 2)[1] as string) },
    }),
  minimum: { monocloud: { getUser: 1 } },
  equalRate: true,
  // Issue 17 asks for its one-client p50 against the floor's.
  sequential: true,
};
const S2: Scenario = {
  ...nodesScenario('S2', '60 users by id, 20 per directory', 20, 1),
  equalRate: true,
  sequential: true,
};

export const SCENARIOS: readonly Scenario[] = [
  S1,
  S2,
  {
    id: 'S3',
    title: 'first page of 50 of the merged `users` list with `linkedAccounts`',
    instances: 1,
    body: () => JSON.stringify({ query: MERGED_PAGE, operationName: 'MergedPage', variables: { first: 50 } }),
  },
  nodesScenario('S2-6', 'S2 with 6 users (2 per directory)', 2, 1),
  {
    id: 'S4-access',
    title: 'page of 50 ZITADEL users with their groups and roles',
    instances: 1,
    body: () =>
      JSON.stringify({
        query: ACCESS_PAGE,
        operationName: 'AccessPage',
        variables: { directory: directoryName('zitadel', 0, 1), first: 50 },
      }),
    // The contract minimum: the page, memberships and authorizations by user ids, the groups by id.
    minimum: { zitadel: { listUsers: 1, listGroupUsers: 1, listAuthorizations: 1, listGroups: 1 } },
  },
  nodesScenario('S2-600', 'S2 with 600 users (200 per directory)', 200, 1),
  nodesScenario('S2-9dir', 'S2 over 9 directory instances (3 per provider)', 20, 3),
  nodesScenario('S2-30dir', 'S2 over 30 directory instances (10 per provider)', 20, 10),
  // The same operations with the defaults a user gets (no `resilience:`): learnt rates, 64 in flight.
  {
    ...S1,
    id: 'S1-defaults',
    title: 'S1 with the default limits',
    defaults: true,
    equalRate: false,
    sequential: false,
  },
  { ...S2, id: 'S2-defaults', title: 'S2 with the default limits', defaults: true, equalRate: false },
  {
    ...S2,
    id: 'S2-quota',
    title: 'S2 with the default limits against a MonoCloud quota of 100 requests/s',
    defaults: true,
    equalRate: false,
    sequential: false,
    quota: { monocloud: 100 },
  },
  // The same operations with the user cache on and warm (`cache.ttlSeconds` an hour): no upstream call.
  {
    ...S1,
    id: 'S1-cached',
    title: 'S1 with the user cache on and warm',
    cache: true,
    equalRate: false,
    sequential: false,
    minimum: {},
  },
  {
    ...S2,
    id: 'S2-cached',
    title: 'S2 with the user cache on and warm',
    cache: true,
    equalRate: false,
    minimum: {},
  },
];
