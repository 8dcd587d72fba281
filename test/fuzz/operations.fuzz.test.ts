import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import {
  type GraphQLField,
  type GraphQLNamedType,
  getNamedType,
  isAbstractType,
  isLeafType,
  isObjectType,
} from 'graphql';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeUserId } from '../../src/directory/global-id.js';
import { buildSchema } from '../../src/schema/index.js';
import { Stack } from '../support/stack.js';

// Operations generated from the schema (selections, arguments, aliases, fragments, nesting up to and past
// the limits) with well-formed and malformed ids, cursors, emails and numbers. Whatever comes in, the
// answer is 200 or 400 with every error coded; a refusal comes within 100 ms; the heap stays bounded; and
// an executed operation never makes more upstream calls than its estimate, nor meets its own ceiling
// (the estimate's assumptions hold on the simulators' data). FUZZ_RUNS sets how many (npm run fuzz).

const RUNS = Number(process.env.FUZZ_RUNS ?? 250);

/** A full collection, so heap figures compare what is kept rather than what is not yet collected. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
const schema = buildSchema();
let stack: Stack;

beforeAll(async () => {
  // One caller sends every operation here: its quota is lifted (the quota has its own test).
  stack = await Stack.start({
    perDirectory: 30,
    limits: { perPrincipal: { operationsPerMinute: 1_000_000, upstreamCallsPerMinute: 100_000_000 } },
  });
});
afterAll(() => stack.close());

/** A small deterministic PRNG, so a failing case shrinks to its seed and replays. */
function prng(seed: number) {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  return {
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    chance: (p: number) => next() < p,
  };
}

type Random = ReturnType<typeof prng>;

function values(stack: Stack, random: Random) {
  const good = () =>
    random.pick([
      encodeUserId('acme', random.pick(stack.ids.monocloud)),
      encodeUserId('corp', random.pick(stack.ids.zitadel)),
      encodeUserId('mobile', random.pick(stack.ids.appServices)),
    ]);
  const bad = () =>
    random.pick([
      '',
      '!!not-base64!!',
      encodeUserId('nowhere', 'x'),
      encodeUserId('acme', 'unknown-user'),
      'dTE6YWNtZQ',
      'x'.repeat(600),
      Buffer.from('u1:corp:').toString('base64url'),
    ]);
  return {
    id: () => JSON.stringify(random.chance(0.8) ? good() : bad()),
    ids: () =>
      JSON.stringify(Array.from({ length: random.int(12) }, () => (random.chance(0.85) ? good() : bad()))),
    first: () => random.pick(['1', '3', '10', '50', '100', '0', '-1', '101', '2147483647']),
    email: () =>
      JSON.stringify(
        random.pick([
          'user@example.com',
          'nobody@example.com',
          'not-an-email',
          '',
          'A@B.C',
          `${'x'.repeat(300)}@e.com`,
        ]),
      ),
    cursor: () =>
      JSON.stringify(random.pick(['', 'garbage', 'eyJ2IjoyfQ.AAAA', `${'a'.repeat(100)}.${'b'.repeat(22)}`])),
    directory: () => JSON.stringify(random.pick(['acme', 'corp', 'mobile', 'nope', ''])),
  };
}

/** A query built from the schema by `seed`: up to `maxDepth` deep (past the depth limit on purpose). */
function generate(seed: number, stack: Stack): string {
  const random = prng(seed);
  const v = values(stack, random);
  const fragments: string[] = [];
  const argsFor = (field: GraphQLField<unknown, unknown>): string => {
    const parts: string[] = [];
    for (const arg of field.args) {
      const required = arg.type.toString().endsWith('!');
      if (!required && !random.chance(0.5)) continue;
      const named = getNamedType(arg.type).name;
      let value: string;
      if (arg.name === 'ids') value = v.ids();
      else if (arg.name === 'id')
        value =
          field.name === 'user' && arg.type.toString() === 'String!'
            ? JSON.stringify('UOtBaOybB6dTpIJNrnkRw')
            : v.id();
      else if (arg.name === 'emails')
        value = `[${Array.from({ length: random.int(4) }, v.email).join(', ')}]`;
      else if (arg.name === 'first') value = v.first();
      else if (arg.name === 'after') value = v.cursor();
      else if (arg.name === 'name') value = v.directory();
      else if (arg.name === 'directories') value = `[${v.directory()}]`;
      else if (arg.name === 'orderBy') value = random.pick(['CREATED_AT_ASC', 'CREATED_AT_DESC']);
      else if (arg.name === 'filter')
        value = random.pick([
          '{ status: [ACTIVE] }',
          '{ kind: HUMAN }',
          '{ text: "a" }',
          '{ email: "user@example.com" }',
          '{}',
        ]);
      else if (named === 'String' || named === 'ID') value = '"x"';
      else if (named === 'Int') value = '1';
      else if (named === 'Boolean') value = 'true';
      else continue;
      parts.push(`${arg.name}: ${value}`);
    }
    return parts.length > 0 ? `(${parts.join(', ')})` : '';
  };
  const selection = (type: GraphQLNamedType, depth: number): string => {
    if (!isObjectType(type) && !isAbstractType(type)) return '';
    const fields = Object.values(
      (type as { getFields(): Record<string, GraphQLField<unknown, unknown>> }).getFields(),
    );
    const chosen: string[] = [];
    const count = 1 + random.int(3);
    for (let i = 0; i < count; i += 1) {
      const field = random.pick(fields);
      const child = getNamedType(field.type);
      const alias = random.chance(0.2) ? `a${random.int(1000)}: ` : '';
      if (isLeafType(child)) chosen.push(`${alias}${field.name}${argsFor(field)}`);
      else if (depth > 0)
        chosen.push(
          `${alias}${field.name}${argsFor(field)} { ${selection(child, depth - 1) || '__typename'} }`,
        );
    }
    if (isAbstractType(type) && random.chance(0.5)) {
      const concrete = random.pick(schema.getPossibleTypes(type));
      if (random.chance(0.5))
        chosen.push(`... on ${concrete.name} { ${selection(concrete, depth - 1) || '__typename'} }`);
      else {
        const name = `F${fragments.length}`;
        fragments.push(
          `fragment ${name} on ${concrete.name} { ${selection(concrete, depth - 1) || '__typename'} }`,
        );
        chosen.push(`...${name}`);
      }
    }
    return chosen.length > 0 ? chosen.join(' ') : '__typename';
  };
  const query = schema.getQueryType();
  if (!query) throw new Error('no Query type');
  const body = selection(query, 1 + random.int(14));
  return [`query Fuzz { ${body} }`, ...fragments].join('\n');
}

it(`answers ${RUNS} generated operations with 200 or 400 and coded errors, refusals fast, estimates kept`, async () => {
  collectGarbage();
  const heap = process.memoryUsage().heapUsed;
  let executed = 0;
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
      const query = generate(seed, stack);
      const started = performance.now();
      const response = await stack.app.fetch('http://usergraph.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query, extensions: { cost: true } }),
      });
      const elapsed = performance.now() - started;
      const body = (await response.json()) as {
        data?: unknown;
        errors?: { extensions?: { code?: unknown; directory?: unknown } }[];
        extensions?: { cost?: { estimate: Record<string, number>; actual?: Record<string, number> } };
      };
      expect([200, 400]).toContain(response.status);
      for (const error of body.errors ?? []) expect(typeof error.extensions?.code).toBe('string');
      const codes = (body.errors ?? []).map((error) => error.extensions?.code);
      expect(codes).not.toContain('INTERNAL_SERVER_ERROR');
      // The estimate's assumptions hold: no executed operation meets its own ceiling (a refusal before
      // execution names a limit; the ceiling met during it names a directory).
      const ceiling = (body.errors ?? []).filter(
        (error) =>
          error.extensions?.code === 'OPERATION_TOO_EXPENSIVE' && error.extensions.directory !== undefined,
      );
      expect(ceiling).toEqual([]);
      // A refusal (no `data` at all: nothing executed) is fast; an execution whose root went null (data:
      // null) may have waited for its directories, and is not one.
      if (body.data === undefined) expect(elapsed).toBeLessThan(100);
      const cost = body.extensions?.cost;
      if (cost?.actual !== undefined) {
        executed += 1;
        for (const [directory, calls] of Object.entries(cost.actual)) {
          expect(calls).toBeLessThanOrEqual(cost.estimate[directory] ?? 0);
        }
      }
    }),
    { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261130) },
  );
  expect(executed).toBeGreaterThan(RUNS / 10);
  // What the run left behind once garbage is collected: the bounded caches (256 documents parsed and
  // compiled, 20,000 ids), not one entry per operation.
  collectGarbage();
  const grownMb = (process.memoryUsage().heapUsed - heap) / 2 ** 20;
  if (process.env.FUZZ_REPORT) console.log(`heap grew ${grownMb.toFixed(1)} MB over ${RUNS} operations`);
  expect(grownMb).toBeLessThan(150);
}, 300_000);
