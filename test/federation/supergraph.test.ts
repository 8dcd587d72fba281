import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { composeServices } from '@apollo/composition';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { encodeUserId } from '../../src/directory/global-id.js';
import { printSubgraphSdl } from '../../src/server/sdl.js';
import { Stack } from '../support/stack.js';
import { TICKETS_SDL, type Ticket, ticketsSchema } from '../support/tickets-subgraph.js';

// A real supergraph: usergraph's subgraph SDL composed by @apollo/composition with a second subgraph
// (support tickets whose requester is a usergraph user), served by @apollo/gateway over HTTP to both.

let stack: Stack;
let tickets: Ticket[];
const servers: Server[] = [];
let gateway: ApolloServer;
let gatewayUrl: string;
let hints: string[];

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

beforeAll(async () => {
  // @apollo/gateway refuses supergraphs with security features (@requiresScopes): it serves the
  // subgraph built without them; the default SDL (with them) is composed below as well.
  stack = await Stack.start({ perDirectory: 40, federation: true, subgraphAuthDirectives: false });
  const ids = stack.ids;
  const requesters = [
    ...ids.monocloud.slice(0, 10).map((id) => encodeUserId('acme', id)),
    ...ids.zitadel.slice(0, 10).map((id) => encodeUserId('corp', id)),
    ...ids.appServices.slice(0, 10).map((id) => encodeUserId('mobile', id)),
  ];
  tickets = requesters.flatMap((requesterId, i) => [
    { id: `T-${i}`, subject: `Cannot sign in (${i})`, requesterId },
    // Every tenth requester has a second ticket: the same user twice in one plan.
    ...(i % 10 === 0 ? [{ id: `T-${i}b`, subject: 'Passkey lost', requesterId }] : []),
  ]);

  const ticketsUrl = await listen(
    createServer(createYoga({ schema: ticketsSchema(() => tickets), logging: false })),
  );
  const usergraphUrl = await listen(createServer(stack.app.http.listener));

  const compose = (authDirectives: boolean) => {
    const result = composeServices([
      { name: 'usergraph', typeDefs: parse(printSubgraphSdl(authDirectives)), url: usergraphUrl },
      { name: 'tickets', typeDefs: TICKETS_SDL, url: ticketsUrl },
    ]);
    if (result.errors) throw new Error(result.errors.map((error) => error.message).join('\n'));
    return result;
  };
  const withScopes = compose(true);
  const composition = compose(false);
  hints = [...withScopes.hints, ...composition.hints].map(
    (hint) => `${hint.definition.code}: ${hint.message}`,
  );
  expect(withScopes.supergraphSdl).toContain('@requiresScopes(scopes: [["users:read:contact"]])');
  // The actions on people are the supergraph's mutations, each behind its write scope.
  expect(withScopes.supergraphSdl).toMatch(
    /suspendPerson\(input: SuspendPersonInput!\): PersonActionPayload @join__field\(graph: USERGRAPH\) @requiresScopes\(scopes: \[\["users:write:suspend"\]\]\)|suspendPerson\(input: SuspendPersonInput!\): PersonActionPayload @requiresScopes\(scopes: \[\["users:write:suspend"\]\]\)/,
  );

  // Never reach outside loopback: no anonymous telemetry, no cloud-metadata probes (also set in vitest.config.ts).
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  gateway = new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl: composition.supergraphSdl }) });
  ({ url: gatewayUrl } = await startStandaloneServer(gateway, { listen: { port: 0, host: '127.0.0.1' } }));
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await stack?.close();
});

beforeEach(() => stack.sims.resetAll());

async function query<T>(text: string): Promise<{ data?: T; errors?: unknown[] }> {
  const response = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: text }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { data?: T; errors?: unknown[] };
}

it('composes with no errors, and its hints are the reviewed ones', () => {
  // Reviewed: none. A new hint means the contract between the subgraphs changed; look at it.
  expect(hints).toEqual([]);
});

it('answers a query that starts in the tickets subgraph with requesters’ emails, passkeys and directory, batched', async () => {
  type Result = {
    tickets: {
      id: string;
      requester: {
        id: string;
        __typename: string;
        displayName: string | null;
        emails: { address: string; verified: boolean }[];
        passkeys: { name: string | null }[] | null;
        directory: { name: string; provider: string };
      };
    }[];
  };
  const { data, errors } = await query<Result>(`{
    tickets {
      id
      requester {
        id
        __typename
        displayName
        emails { address verified }
        passkeys { name }
        directory { name provider }
      }
    }
  }`);
  expect(errors).toBeUndefined();
  expect(data?.tickets).toHaveLength(tickets.length);
  for (const [i, ticket] of (data?.tickets ?? []).entries()) {
    expect(ticket.requester.id).toBe(tickets[i]?.requesterId);
    const directory = ticket.requester.directory.name;
    expect(ticket.requester.__typename).toBe(
      { acme: 'MonoCloudUser', corp: 'ZitadelUser', mobile: 'AppServicesUser' }[directory],
    );
    if (directory === 'mobile') expect(ticket.requester.passkeys).toBeNull();
    else expect(Array.isArray(ticket.requester.passkeys)).toBe(true);
  }
  // John Doe is the first MonoCloud requester: his data comes through the supergraph intact.
  expect(data?.tickets[0]?.requester).toMatchObject({
    displayName: 'John Doe',
    emails: [{ address: 'user@example.com', verified: true }],
    passkeys: [{ name: 'IPhone 15 Pro Max' }],
    directory: { name: 'acme', provider: 'MONOCLOUD' },
  });
  // The contract minimum: one GET per distinct MonoCloud / App Services requester, ONE ZITADEL
  // ListUsers for all ten, and ZITADEL's passkeys from their own endpoint, one per user.
  expect(stack.sims.monocloud.count('getUser')).toBe(10);
  expect(stack.sims.appServices.count('getUser')).toBe(10);
  expect(stack.sims.zitadel.count('listUsers')).toBe(1);
  expect(stack.sims.zitadel.count('getUser')).toBe(0);
  expect(stack.sims.zitadel.count('listPasskeys')).toBe(10);
});

it('lets a user reached from usergraph use the field the tickets subgraph adds', async () => {
  const id = encodeUserId('acme', stack.ids.monocloud[0] ?? '');
  const { data, errors } = await query<{ user: { displayName: string; openTickets: { id: string }[] } }>(
    `{ user(id: "${id}") { displayName openTickets { id } } }`,
  );
  expect(errors).toBeUndefined();
  expect(data?.user.displayName).toBe('John Doe');
  expect(data?.user.openTickets.map((ticket) => ticket.id)).toEqual(['T-0', 'T-0b']);
});
