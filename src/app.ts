import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { type Context, createContext } from './context.js';
import type { DirectoryRegistry } from './directory/registry.js';
import { maskError } from './graphql-errors.js';
import { createLogger, type LogLevel } from './logger.js';
import { useBodyLimit } from './plugins/use-body-limit.js';
import { useJit } from './plugins/use-jit.js';
import { usePartialErrors } from './plugins/use-partial-errors.js';
import { useReadiness } from './plugins/use-readiness.js';
import { useRequestDeadlineRelease } from './plugins/use-request-deadline.js';
import { type ClosingResponse, DEFAULT_REQUEST_TIMEOUT_MS, requestDeadline } from './resilience/deadline.js';
import { buildSchema } from './schema/index.js';

export interface AppOptions {
  readonly directories: DirectoryRegistry;
  /** The query GraphiQL opens with; defaults to one that lists the configured directories. */
  readonly exampleQuery?: string;
  /** Serve as an Apollo Federation 2 subgraph (`_entities`, `_service`) instead of a plain GraphQL API. */
  readonly federation?: boolean;
  /** Deadline of one GraphQL request, propagated to every upstream call (default 10 s). */
  readonly requestTimeoutMs?: number;
  /**
   * Execute with graphql-jit (compiled per document, cached): ~20% more throughput (BENCHMARKS.md).
   * Off runs graphql-js's own executor; answers are the same either way (test/jit-parity.test.ts).
   */
  readonly jit?: boolean;
  /** Yoga's log level (default `info`). */
  readonly logLevel?: LogLevel;
}

/** What node:http gives Yoga beside the request (absent under `app.fetch`). */
export interface ServerContext {
  readonly res?: ClosingResponse;
}

export type App = YogaServerInstance<ServerContext, Context>;

/** The Yoga instance: schema, per-request context, error masking, GraphiQL. It does not listen. */
export function createApp(options: AppOptions): App {
  return createYoga<ServerContext, Context>({
    schema: buildSchema({ federation: options.federation }),
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    context: ({ request, res }) =>
      createContext(
        options.directories,
        requestDeadline(options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, res ?? request.signal),
      ),
    maskedErrors: { maskError },
    // Yoga's own body limit pipes every request body through a TransformStream to count its bytes:
    // 30% of the CPU of a one-user query (BENCHMARKS.md). useBodyLimit checks the header instead.
    maxRequestBodySize: false,
    plugins: [
      useBodyLimit(),
      usePartialErrors(),
      useReadiness(options.directories),
      useRequestDeadlineRelease(),
      ...(options.jit === false ? [] : useJit()),
    ],
    graphiql: {
      title: 'usergraph',
      defaultQuery: options.exampleQuery ?? DEFAULT_EXAMPLE,
    },
    // GraphiQL with its assets inlined, so it works where a CDN is unreachable (closed networks, CI).
    // Loaded on first use: the bundle is large and the API itself never needs it.
    renderGraphiQL: async (graphiqlOptions) =>
      (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(graphiqlOptions),
    logging: createLogger(options.logLevel),
  });
}

const DEFAULT_EXAMPLE = `# usergraph: one GraphQL API over every configured user directory.
# Ask for a user by global id with user(id:) or node(id:), or by the provider's own id:
#   directory(name: "…") { user(id: "…") { displayName } }
query Directories {
  directories {
    name
    provider
  }
}
`;
