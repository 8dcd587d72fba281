import type { DirectoryConfig } from '../config/config.js';
import { encodeUserId } from '../directory/global-id.js';
import { SimulatorSet } from '../simulators/index.js';

export interface Demo {
  readonly directories: readonly DirectoryConfig[];
  readonly exampleQuery: string;
  readonly simulators: SimulatorSet;
  close(): Promise<void>;
}

/** Demo mode: the three simulators in-process on loopback, and a GraphiQL query that shows all of them. */
export async function startDemo(): Promise<Demo> {
  const simulators = await SimulatorSet.start();
  const directories = simulators.directories();
  const ids = simulators.localIds();
  const [acme, corp, mobile] = directories.map((directory) => directory.name);
  const sample = [
    ...ids.monocloud.slice(0, 3).map((id) => encodeUserId(acme ?? '', id)),
    ...ids.zitadel.slice(0, 3).map((id) => encodeUserId(corp ?? '', id)),
    ...ids.appServices.slice(0, 3).map((id) => encodeUserId(mobile ?? '', id)),
  ];
  return {
    directories,
    simulators,
    exampleQuery: exampleQuery(sample, [
      [acme ?? '', ids.monocloud[0] ?? ''],
      [corp ?? '', ids.zitadel[0] ?? ''],
      [mobile ?? '', ids.appServices[0] ?? ''],
    ]),
    close: () => simulators.close(),
  };
}

function exampleQuery(
  globalIds: readonly string[],
  byDirectory: readonly (readonly [string, string])[],
): string {
  const directoryBlocks = byDirectory
    .map(
      ([name, localId]) => `  ${name}: directory(name: "${name}") {
    name
    provider
    capabilities { groups roles sessions changeKinds changesComplete }
    user(id: "${localId}") {
      ...UserCard
    }
  }`,
    )
    .join('\n');
  return `# usergraph demo: three simulated directories (MonoCloud, ZITADEL, App Services) behind one API.
# Run this query (the ▶ button). Ids of one directory are fetched in one batch per request;
# lists merge every directory by creation time. Groups and roles come where a directory has them
# (see each directory's capabilities); the change feed merges every directory under one cursor.

query DemoUsers {
  # Everyone, across all three directories, oldest first; page on with users(after: endCursor).
  users(first: 10) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      ...UserCard
      linkedAccounts { matchedEmail user { id directory { name } } }
    }
  }
  # Who holds an address, in every directory.
  usersByEmail(emails: ["user@example.com"]) {
    email
    accounts { verified user { id directory { name } } }
  }
${directoryBlocks}
  # What changed lately, every directory merged; poll on with changes(after: endCursor).
  changes(since: "2026-01-01T00:00:00Z", first: 10) {
    pageInfo { hasNextPage endCursor }
    nodes { at kind rawType directoryName userId groupId }
  }
  nodes(ids: [
${globalIds.map((id) => `    "${id}"`).join('\n')}
  ]) {
    ...UserCard
  }
}

fragment UserCard on User {
  id
  __typename
  directory { name }
  displayName
  status
  emails { address verified primary }
  phoneNumbers { number verified }
  passkeys { name aaguid backedUp }
  identities { provider providerUserId }
  createdAt
  lastSignInAt
  ... on ZitadelUser {
    loginNames
    machine { name }
    groups { nodes { name } }
    roles { nodes { roleKey roleName scope { name } } }
  }
  ... on MonoCloudUser { signInSuccessCount blocked groups { nodes { name } } }
  ... on AppServicesUser { type lastAuthenticationAt }
}
`;
}
