import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Change } from '../src/directory/change-model.js';
import { encodeUserId } from '../src/directory/global-id.js';
import type { DirectoryRegistry } from '../src/directory/registry.js';
import { MemoryChangeStream } from '../src/feed/memory-change-stream.js';
import { SubscriptionSlots } from '../src/feed/subscription-slots.js';
import { type App, createApp } from '../src/server/app.js';
import { type Demo, startDemo } from '../src/server/demo.js';
import { buildDirectories } from '../src/server/directories.js';

// usergraph executes with graphql-jit; graphql-js is the reference. Both apps here serve the same
// simulators, so every answer (data and errors, partial failures included) must be the same.

interface Answer {
  readonly data?: unknown;
  readonly errors?: { readonly path?: readonly (string | number)[] }[];
  readonly extensions?: unknown;
}

let demo: Demo;
let jit: { app: App; registry: DirectoryRegistry };
let reference: { app: App; registry: DirectoryRegistry };

/** One change stream both apps' subscriptions read (no poller: the test appends to it). */
const stream = new MemoryChangeStream({ maxLength: 1_000, maxAgeMs: 3_600_000 });

function serve(useJit: boolean) {
  const registry = buildDirectories(demo.directories);
  // One cursor key for both, so their cursors compare equal.
  return {
    app: createApp({
      logLevel: 'silent',
      directories: registry,
      jit: useJit,
      cursorSecret: 'jit-parity-cursor-secret',
      feed: {
        stream,
        slots: new SubscriptionSlots(),
        limits: { subscriptionsPerPrincipal: 10, eventsPerSecond: 1_000 },
      },
    }),
    registry,
  };
}

interface Operation {
  readonly query: string;
  readonly operationName?: string;
  readonly variables?: Record<string, unknown>;
}

async function ask(app: App, operation: Operation): Promise<Answer> {
  const response = await app.fetch('http://usergraph.test/graphql', {
    method: 'POST',
    // One request id for both, so their errors' `extensions.requestId` match too.
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      'x-request-id': 'parity',
    },
    body: JSON.stringify(operation),
  });
  return (await response.json()) as Answer;
}

/** Errors in path order: the two executors may settle sibling fields in a different order. */
function normalized(answer: Answer): Answer {
  const errors = answer.errors
    ? [...answer.errors].sort((a, b) =>
        JSON.stringify(a.path ?? []).localeCompare(JSON.stringify(b.path ?? [])),
      )
    : undefined;
  return { ...answer, ...(errors ? { errors } : {}) };
}

async function expectSameAnswer(operation: Operation): Promise<Answer> {
  const fromJit = await ask(jit.app, operation);
  const fromReference = await ask(reference.app, operation);
  expect(normalized(fromJit)).toEqual(normalized(fromReference));
  return fromJit;
}

const read = (file: string) => readFileSync(new URL(`./operations/${file}`, import.meta.url), 'utf8');
const userOperations = `${read('user.graphql')}\n${read('fragments.graphql')}`;
const nodesByIds = (ids: readonly string[]): Operation => ({
  query: userOperations,
  operationName: 'NodesByIds',
  variables: { ids },
});

beforeAll(async () => {
  demo = await startDemo();
  jit = serve(true);
  reference = serve(false);
});

afterAll(async () => {
  await Promise.all([jit.registry.close(), reference.registry.close()]);
  await demo.close();
});

describe('graphql-jit answers as graphql-js does', () => {
  it('for the demo query: merged list, linked accounts, email lookup, every directory', async () => {
    const answer = await expectSameAnswer({ query: demo.exampleQuery });
    expect(answer.errors).toBeUndefined();
    expect(JSON.stringify(answer.data)).toContain('"displayName":"John Doe"');
  });

  it('for lists whose items fail before the others load, in every position', async () => {
    const ids = demo.simulators.localIds();
    const good = encodeUserId('acme', ids.monocloud[0] ?? '');
    const other = encodeUserId('corp', ids.zitadel[0] ?? '');
    const unknownDirectory = encodeUserId('payroll', '1');
    for (const list of [
      [good, 'bad'],
      ['bad', good],
      ['bad', good, unknownDirectory, other, 'worse'],
      [unknownDirectory, 'bad'],
    ]) {
      const answer = await expectSameAnswer(nodesByIds(list));
      expect((answer.data as { nodes: unknown[] }).nodes).toHaveLength(list.length);
    }
  });

  it('when one directory fails: the others’ data, and that directory’s errors at their paths', async () => {
    const ids = demo.simulators.localIds();
    const list = [
      ...ids.monocloud.slice(0, 3).map((id) => encodeUserId('acme', id)),
      ...ids.zitadel.slice(0, 3).map((id) => encodeUserId('corp', id)),
      ...ids.appServices.slice(0, 3).map((id) => encodeUserId('mobile', id)),
    ];
    demo.simulators.monocloud.inject({ route: 'getUser', fault: { type: 'status', status: 401 } });
    try {
      const answer = await expectSameAnswer(nodesByIds(list));
      expect(answer.errors?.map((error) => error.path)).toEqual([
        ['nodes', 0],
        ['nodes', 1],
        ['nodes', 2],
      ]);
    } finally {
      demo.simulators.resetAll();
    }
  });

  it('for each operation of one document on its own (the compiled form is per operation, not per document)', async () => {
    const query = 'query Names { directories { name } } query Providers { directories { provider } }';
    for (const operationName of ['Names', 'Providers', 'Names']) {
      const answer = await expectSameAnswer({ query, operationName });
      const first = (answer.data as { directories: Record<string, unknown>[] }).directories[0];
      expect(Object.keys(first ?? {})).toEqual([operationName === 'Names' ? 'name' : 'provider']);
    }
  });

  it('with the keys of every answer in the order the document asks for them, whichever resolves first', async () => {
    const query =
      '{ users(first: 3) { nodes { id } } directories { name } later: users(first: 1) { totalCount } }';
    for (const app of [jit.app, reference.app]) {
      const answer = await ask(app, { query });
      expect(Object.keys(answer.data as object)).toEqual(['users', 'directories', 'later']);
    }
  });

  it('for subscriptions: the same events, and the same error for a bad argument', async () => {
    const query =
      'subscription ($directories: [String!]) { changes(directories: $directories) { cursor change { id kind at userId directoryName } } }';
    const open = (app: App, directories: string[], until: number) =>
      (async () => {
        const controller = new AbortController();
        const response = await app.fetch('http://usergraph.test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
          body: JSON.stringify({ query, variables: { directories } }),
          signal: controller.signal,
        });
        const reader = (response.body as ReadableStream<Uint8Array>).getReader();
        const decoder = new TextDecoder();
        let text = '';
        const events = () =>
          [...text.matchAll(/^data: (.+)$/gm)].map((match) => JSON.parse(match[1] ?? 'null'));
        while (events().length < until && !text.includes('event: complete')) {
          const { value, done } = await reader.read();
          if (done) break;
          text += decoder.decode(value, { stream: true });
        }
        controller.abort();
        await reader.cancel().catch(() => undefined);
        return events();
      })();
    const lease = await stream.lease('acme', 'parity', 60_000, null);
    const change = (n: number): Change => ({
      id: `evt-${n}`,
      directory: 'acme',
      at: 1_764_900_000_000 + n,
      kind: 'SIGN_IN',
      userId: `u${n}`,
      groupId: null,
      rawType: 'user_sign_in_succeeded',
      position: { kind: 'after-id', after: null },
    });
    const watching = [open(jit.app, ['acme'], 3), open(reference.app, ['acme'], 3)];
    await new Promise((resolve) => setTimeout(resolve, 200));
    await stream.append(
      lease as NonNullable<typeof lease>,
      [change(1), change(2), change(3)],
      change(3).position,
    );
    const [fromJit, fromReference] = await Promise.all(watching);
    expect(fromJit).toHaveLength(3);
    expect(fromJit).toEqual(fromReference);
    const [badJit, badReference] = await Promise.all([
      open(jit.app, ['nowhere'], 1),
      open(reference.app, ['nowhere'], 1),
    ]);
    expect(badJit[0]?.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    // The same message and extensions; graphql-js adds `locations` at the document's start (1:1) to an
    // error of the event stream, graphql-jit none: a location that points nowhere in particular.
    expect(badJit.map(comparable)).toEqual(badReference.map(comparable));
  });
});

function comparable(event: { errors?: { message?: string; extensions?: Record<string, unknown> }[] }) {
  return event.errors?.map((error) => ({ message: error.message, extensions: error.extensions }));
}
