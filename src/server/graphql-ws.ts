import type { Server } from 'node:http';
import {
  type ExecutionArgs,
  type ExecutionResult,
  GraphQLError,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { CODE } from '../codes/public-codes.js';
import { type LimitOverrides, withDefaultLimits } from '../cost/limits.js';
import { publicError } from '../graphql/graphql-errors.js';
import { ROUTES } from '../plugins/hygiene/use-routes.js';

// GraphQL over WebSocket (the graphql-ws protocol), through the same gate as HTTP: every operation a
// socket sends is answered by the app's own fetch handler as a POST carrying the socket's credential,
// so authentication, scopes, grants, limits, the budget, trusted documents, quotas and the audit log
// apply exactly as they do to HTTP (no second door). The socket only carries the answers: a
// subscription is read from the app's Server-Sent Events, a query or mutation from its JSON.

type Fetch = (request: Request) => Promise<Response>;

/** Credentials a socket may carry in `connection_init`'s payload (or in its upgrade request's headers). */
const CREDENTIAL_HEADERS = ['authorization', 'x-api-key'] as const;
/** A credential longer than this is not one (the HTTP header limit would refuse it too). */
const MAX_CREDENTIAL = 8_192;

interface OperationContext {
  readonly headers: Record<string, string>;
  readonly body: string;
}

// graphql-ws wants a schema and a parsed document to tell a subscription from a query; the app's own
// gate parses and validates the operation again against the real schema.
const OPERATION_KIND_ONLY = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { _: { type: GraphQLString } } }),
});

export function attachGraphqlWs(
  server: Server,
  fetch: Fetch,
  bounds: { readonly maxPayload: number; readonly limits?: LimitOverrides | undefined },
): () => Promise<void> {
  const { maxPayload } = bounds;
  const maxTokens = withDefaultLimits(bounds.limits).tokens;
  const sockets = new WebSocketServer({ noServer: true, maxPayload });
  server.on('upgrade', (request, socket, head) => {
    // One route, as for HTTP: the exact GraphQL path, nothing else upgrades.
    const path = new URL(request.url ?? '/', 'http://usergraph').pathname;
    if (path !== ROUTES.graphql) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => sockets.emit('connection', ws, request));
  });
  const running = useServer(
    {
      schema: OPERATION_KIND_ONLY,
      connectionInitWaitTimeout: 5_000,
      // The credential is checked at connect (a refused one closes the socket 4403) and again with
      // every operation by the gate; a subscription ends when its token expires.
      onConnect: async (ctx) => {
        const headers = credentials(ctx.connectionParams, ctx.extra.request.headers);
        const answer = await fetch(
          post(headers, JSON.stringify({ query: '{ __typename }' }), 'application/json'),
        );
        await answer.body?.cancel();
        return answer.status !== 401 && answer.status !== 403;
      },
      onSubscribe: (ctx, _id, payload) => {
        let document: ExecutionArgs['document'];
        try {
          // Only to tell the operation's kind; bounded as the gate bounds it (limits.tokens).
          document = parse(payload.query, { noLocation: true, maxTokens });
        } catch (error) {
          const message = error instanceof GraphQLError ? error.message : 'The query does not parse.';
          return [publicError(CODE.GRAPHQL_PARSE_FAILED, message)];
        }
        const args: ExecutionArgs = {
          schema: OPERATION_KIND_ONLY,
          document,
          ...(payload.operationName ? { operationName: payload.operationName } : {}),
          contextValue: {
            headers: credentials(ctx.connectionParams, ctx.extra.request.headers),
            body: JSON.stringify({
              query: payload.query,
              ...(payload.operationName ? { operationName: payload.operationName } : {}),
              ...(payload.variables ? { variables: payload.variables } : {}),
              ...(payload.extensions ? { extensions: payload.extensions } : {}),
            }),
          } satisfies OperationContext,
        };
        return args;
      },
      execute: async (args) => {
        const { headers, body } = args.contextValue as OperationContext;
        const answer = await fetch(post(headers, body, 'application/graphql-response+json'));
        return sendable(await answer.json());
      },
      subscribe: (args) => relay(fetch, args.contextValue as OperationContext),
    },
    sockets,
  );
  return async () => {
    await running.dispose();
  };
}

/** A subscription's events, read from the app's SSE answer; ended (the request aborted) with the socket's. */
async function* relay(fetch: Fetch, { headers, body }: OperationContext): AsyncGenerator<ExecutionResult> {
  const controller = new AbortController();
  try {
    const answer = await fetch(post(headers, body, 'text/event-stream', controller.signal));
    if (!(answer.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      // Refused before it started (the gate's coded error, as JSON).
      yield sendable(await answer.json());
      return;
    }
    const reader = answer.body?.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    while (reader) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (!block.includes('event: next')) continue;
        const data = block
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trimStart())
          .join('\n');
        yield sendable(JSON.parse(data));
      }
    }
  } finally {
    controller.abort();
  }
}

/**
 * A result as the app wrote it (JSON), for graphql-ws, which serialises each error with `toJSON`: the
 * errors go out exactly as the gate coded and masked them.
 */
function sendable(json: unknown): ExecutionResult {
  const result = json as ExecutionResult;
  if (result.errors === undefined) return result;
  return {
    ...result,
    errors: result.errors.map((error) => Object.assign(Object.create(null), error, { toJSON: () => error })),
  };
}

function post(headers: Record<string, string>, body: string, accept: string, signal?: AbortSignal): Request {
  return new Request(`http://usergraph${ROUTES.graphql}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', accept },
    body,
    ...(signal === undefined ? {} : { signal }),
  });
}

/** The socket's credential: from `connection_init` (what a browser can send), else the upgrade's headers. */
function credentials(
  params: Readonly<Record<string, unknown>> | undefined,
  upgrade: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of CREDENTIAL_HEADERS) {
    const given =
      Object.entries(params ?? {}).find(([key]) => key.toLowerCase() === name)?.[1] ?? upgrade[name];
    if (typeof given === 'string' && given.length <= MAX_CREDENTIAL && !/[\r\n]/.test(given))
      out[name] = given;
  }
  return out;
}
