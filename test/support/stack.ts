import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { Tracer } from '@opentelemetry/api';
import { type ExecutionResult, print } from 'graphql';
import type { Logger } from 'pino';
import type { DirectoryConfig } from '../../src/config/config.js';
import type { LimitOverrides } from '../../src/cost/limits.js';
import type { DirectoryRegistry } from '../../src/directory/registry.js';
import { SubscriptionSlots } from '../../src/feed/subscription-slots.js';
import type { Metrics } from '../../src/observability/metrics.js';
import { type App, type AppOptions, createApp, type SecurityOptions } from '../../src/server/app.js';
import { buildDirectories } from '../../src/server/directories.js';
import type { SharedState } from '../../src/shared/shared-state.js';
import { SimulatorSet, type SimulatorSetOptions } from '../../src/simulators/index.js';

export interface StackOptions extends SimulatorSetOptions {
  /** Adjust the directory configs before the providers are built (wrong credentials, small timeouts…). */
  readonly configure?: (configs: DirectoryConfig[]) => DirectoryConfig[];
  /** Serve the Apollo Federation subgraph schema. */
  readonly federation?: boolean;
  /** With `federation`: print @requiresScopes (default true). */
  readonly subgraphAuthDirectives?: boolean;
  /** With `federation`: also key users by `directoryName localId`. */
  readonly subgraphCompositeKey?: boolean;
  /** Deadline of one GraphQL request (the app's default when absent). */
  readonly requestTimeoutMs?: number;
  /** Authentication, CORS, GET, GraphiQL, introspection, audit (the app's open defaults when absent). */
  readonly security?: Partial<SecurityOptions>;
  /** Static limits and the upstream-call budget (the documented defaults where absent). */
  readonly limits?: LimitOverrides;
  /** The log (none when absent: every line dropped). */
  readonly log?: Logger;
  /** Prometheus metrics, reported to by the directories and the app. */
  readonly metrics?: Metrics;
  /** OpenTelemetry tracing. */
  readonly tracer?: Tracer;
  /** Redis shared with other replicas (quotas, hold-offs, the cache). */
  readonly shared?: SharedState;
  /** Trusted documents (their manifest entries), prepared when the app is built. */
  readonly trustedDocuments?: AppOptions['trustedDocuments'];
  /** The action log the mutations use (one in the app's memory when absent). */
  readonly actions?: AppOptions['actions'];
  /** The change streams `subscription { changes }` reads (no feed when absent). */
  readonly feed?: Omit<NonNullable<AppOptions['feed']>, 'slots'> & { slots?: SubscriptionSlots };
}

export interface GraphQLResponse<T> {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: ExecutionResult<T> & {
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  };
  readonly text: string;
  readonly headers: Headers;
}

/** Simulators + providers + the Yoga app, wired as in demo mode; every test file gets its own. */
export class Stack {
  private constructor(
    readonly sims: SimulatorSet,
    readonly registry: DirectoryRegistry,
    readonly app: App,
    readonly configs: readonly DirectoryConfig[],
    readonly metrics?: Metrics,
  ) {}

  static async start(options: StackOptions = {}): Promise<Stack> {
    const sims = await SimulatorSet.start(options);
    const configs = (options.configure ?? ((c) => c))(sims.directories());
    const registry = buildDirectories(configs, { metrics: options.metrics, shared: options.shared });
    return new Stack(
      sims,
      registry,
      createApp({
        directories: registry,
        federation: options.federation,
        subgraphAuthDirectives: options.subgraphAuthDirectives,
        subgraphCompositeKey: options.subgraphCompositeKey,
        requestTimeoutMs: options.requestTimeoutMs,
        security: options.security,
        limits: options.limits,
        metrics: options.metrics,
        tracer: options.tracer,
        ...(options.shared === undefined ? {} : { shared: options.shared }),
        ...(options.trustedDocuments === undefined ? {} : { trustedDocuments: options.trustedDocuments }),
        ...(options.actions === undefined ? {} : { actions: options.actions }),
        ...(options.feed === undefined ? {} : { feed: { slots: new SubscriptionSlots(), ...options.feed } }),
        ...(options.log === undefined ? { logLevel: 'silent' } : { log: options.log }),
      }),
      configs,
      options.metrics,
    );
  }

  get ids() {
    return this.sims.localIds();
  }

  /** POSTs an operation to /graphql through `yoga.fetch` (no socket). */
  async execute<T, V>(
    document: TypedDocumentNode<T, V>,
    variables: V,
    headers: Readonly<Record<string, string>> = {},
  ): Promise<GraphQLResponse<T>> {
    const response = await this.app.fetch('http://usergraph.test/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        ...headers,
      },
      body: JSON.stringify({ query: print(document), variables }),
    });
    const text = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      headers: response.headers,
      body: JSON.parse(text),
      text,
    };
  }

  async close(): Promise<void> {
    await this.registry.close();
    await this.sims.close();
  }
}
