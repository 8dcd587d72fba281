// One side of bench/framework-cost.ts: a GraphQL server of one trivial field, either through
// graphql-yoga (FRAMEWORK=yoga: its node adapter, request parsing, envelop, result processing — every
// built-in it has on by default, no plugin of usergraph's) or by hand on node:http (FRAMEWORK=bare: the
// body read, JSON.parse, a cached parse and validation, graphql-js's execute, JSON.stringify).
// Prints {"port": n} once it serves.
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema, type DocumentNode, execute, parse, validate } from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';

const typeDefs = 'type Query { hello(name: String): String }';
const hello = (name: unknown) => `hi ${String(name)}`;

function bare(): RequestListener {
  const schema = buildSchema(typeDefs);
  const rootValue = { hello: ({ name }: { name?: unknown }) => hello(name) };
  const documents = new Map<string, DocumentNode>();
  return (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        query: string;
        variables?: Record<string, unknown>;
      };
      let document = documents.get(body.query);
      if (document === undefined) {
        document = parse(body.query);
        if (validate(schema, document).length > 0) throw new Error('invalid document');
        documents.set(body.query, document);
      }
      const text = JSON.stringify(execute({ schema, document, rootValue, variableValues: body.variables }));
      response.writeHead(200, {
        'content-type': 'application/graphql-response+json; charset=utf-8',
        'content-length': Buffer.byteLength(text),
      });
      response.end(text);
    });
  };
}

const listener =
  process.env.FRAMEWORK === 'yoga' || process.env.FRAMEWORK === 'yoga-native'
    ? createYoga({
        ...(process.env.FRAMEWORK === 'yoga-native' ? { fetchAPI: globalThis } : {}),
        schema: createSchema({
          typeDefs,
          resolvers: { Query: { hello: (_: unknown, args: { name?: unknown }) => hello(args.name) } },
        }),
        logging: false,
        landingPage: false,
        graphiql: false,
      })
    : bare();
const server = createServer(listener);
server.listen(0, '127.0.0.1', () =>
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port })),
);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
