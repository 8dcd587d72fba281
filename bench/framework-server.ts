// One side of bench/framework-cost.ts: a GraphQL server of one trivial field, either through
// graphql-yoga (FRAMEWORK=yoga: its node adapter, request parsing, envelop, result processing — every
// built-in it has on by default, no plugin of usergraph's) or by hand on node:http (FRAMEWORK=bare: the
// body read, JSON.parse, a cached parse and validation, graphql-js's execute, JSON.stringify). With
// UPSTREAM_URL the field's resolver first GETs that URL (UPSTREAM_HEADERS, JSON) through an undici Pool
// and answers with the length of its body: the framework with I/O under it, as a gateway runs it.
// Prints {"port": n} once it serves.
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema, type DocumentNode, execute, parse, validate } from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
import { Pool } from 'undici';

const typeDefs = 'type Query { hello(name: String): String }';
const upstream = process.env.UPSTREAM_URL === undefined ? null : new URL(process.env.UPSTREAM_URL);
const pool = upstream === null ? null : new Pool(upstream.origin, { connections: 128 });
const upstreamHeaders = JSON.parse(process.env.UPSTREAM_HEADERS ?? '{}') as Record<string, string>;
const hello = (name: unknown): string | Promise<string> => {
  if (pool === null || upstream === null) return `hi ${String(name)}`;
  return pool
    .request({ method: 'GET', path: `${upstream.pathname}${upstream.search}`, headers: upstreamHeaders })
    .then((res) => res.body.text())
    .then((text) => `hi ${String(name)} ${text.length}`);
};

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
      void Promise.resolve(execute({ schema, document, rootValue, variableValues: body.variables })).then(
        (result) => {
          const text = JSON.stringify(result);
          response.writeHead(200, {
            'content-type': 'application/graphql-response+json; charset=utf-8',
            'content-length': Buffer.byteLength(text),
          });
          response.end(text);
        },
      );
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
