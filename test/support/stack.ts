import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type ExecutionResult, print } from 'graphql';
import { type App, createApp } from '../../src/app.js';
import type { DirectoryConfig } from '../../src/config.js';
import { buildDirectories } from '../../src/directories.js';
import type { DirectoryRegistry } from '../../src/directory/registry.js';
import { SimulatorSet, type SimulatorSetOptions } from '../../src/simulators/index.js';

export interface StackOptions extends SimulatorSetOptions {
  /** Adjust the directory configs before the providers are built (wrong credentials, small timeouts…). */
  readonly configure?: (configs: DirectoryConfig[]) => DirectoryConfig[];
  /** Serve the Apollo Federation subgraph schema. */
  readonly federation?: boolean;
  /** Deadline of one GraphQL request (the app's default when absent). */
  readonly requestTimeoutMs?: number;
}

export interface GraphQLResponse<T> {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: ExecutionResult<T> & {
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  };
  readonly text: string;
}

/** Simulators + providers + the Yoga app, wired as in demo mode; every test file gets its own. */
export class Stack {
  private constructor(
    readonly sims: SimulatorSet,
    readonly registry: DirectoryRegistry,
    readonly app: App,
    readonly configs: readonly DirectoryConfig[],
  ) {}

  static async start(options: StackOptions = {}): Promise<Stack> {
    const sims = await SimulatorSet.start(options);
    const configs = (options.configure ?? ((c) => c))(sims.directories());
    const registry = buildDirectories(configs);
    return new Stack(
      sims,
      registry,
      createApp({
        directories: registry,
        federation: options.federation,
        requestTimeoutMs: options.requestTimeoutMs,
      }),
      configs,
    );
  }

  get ids() {
    return this.sims.localIds();
  }

  /** POSTs an operation to /graphql through `yoga.fetch` (no socket). */
  async execute<T, V>(document: TypedDocumentNode<T, V>, variables: V): Promise<GraphQLResponse<T>> {
    const response = await this.app.fetch('http://usergraph.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: print(document), variables }),
    });
    const text = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      body: JSON.parse(text),
      text,
    };
  }

  async close(): Promise<void> {
    await this.registry.close();
    await this.sims.close();
  }
}
