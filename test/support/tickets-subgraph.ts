import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

// The second subgraph of the federation tests: support tickets whose requester is a usergraph user,
// known here only by id, to which it adds `openTickets` through @interfaceObject.

export const TICKETS_SDL = parse(`
  extend schema
    @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key", "@interfaceObject"])

  type Ticket @key(fields: "id") {
    id: ID!
    subject: String!
    requester: User!
  }

  # A usergraph user, as this service knows it: by id. The tickets service adds its own field.
  type User @key(fields: "id") @interfaceObject {
    id: ID!
    openTickets: [Ticket!]!
  }

  type Query {
    tickets: [Ticket!]!
  }
`);

export interface Ticket {
  readonly id: string;
  readonly subject: string;
  readonly requesterId: string;
}

/** The tickets subgraph's schema over whatever `tickets()` holds at the time of each request. */
export function ticketsSchema(tickets: () => readonly Ticket[]) {
  return buildSubgraphSchema({
    typeDefs: TICKETS_SDL,
    resolvers: {
      Query: { tickets: () => tickets() },
      Ticket: { requester: (ticket: Ticket) => ({ id: ticket.requesterId }) },
      User: {
        __resolveReference: (user: { id: string }) => user,
        openTickets: (user: { id: string }) => tickets().filter((ticket) => ticket.requesterId === user.id),
      },
    },
  });
}
