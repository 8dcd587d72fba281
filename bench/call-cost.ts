// Where a scenario's CPU goes below and above GraphQL (issue 30, items 3 and 4), measured in this
// process with the simulators in a process of their own, in alternating rounds of CPU per operation:
//   floor      the floor's directory calls for the scenario's users (bench/floor-directories.ts)
//   usergraph  usergraph's directories for the same users, built by the composition root as the
//              server builds them (guard, limiter, breaker, retries, metrics, contract check, mapping)
//   graphql    the scenario's whole GraphQL operation through the app over those directories (Yoga's
//              fetch entry: no socket, authentication or access log)
//   memory     the same operation over directories that answer from memory: the GraphQL layer alone
//   waiting    the same, each directory answering after a timer (CALL_COST_WAIT_MS, default 15: S2's
//              three waves of 5 ms): as many operations in flight as with I/O, none of the I/O's work
// usergraph − floor is what the directory layer costs beyond the least any proxy does (per upstream
// call below); graphql − usergraph is the GraphQL layer with real I/O under it, memory without, waiting
// with only the wait. Each round also reports the collector's pauses per operation (perf_hooks 'gc'
// entries). Usage:
//   tsx bench/call-cost.ts   (CALL_COST_SCENARIO=S2|S1, CALL_COST_ROUNDS=3, CALL_COST_SECONDS=5,
//   CALL_COST_WORKERS=16, CALL_COST_SIDES=floor,usergraph,graphql,memory,waiting, CALL_COST_WAIT_MS=15)
import { PerformanceObserver } from 'node:perf_hooks';
import pino from 'pino';
import { directoryConfig } from '../src/config/config.js';
import type { DirectoryProvider } from '../src/directory/port.js';
import { DirectoryRegistry } from '../src/directory/registry.js';
import { Metrics } from '../src/observability/metrics.js';
import { requestDeadline, withDeadline } from '../src/resilience/deadline.js';
import { type App, createApp } from '../src/server/app.js';
import { buildDirectories } from '../src/server/directories.js';
import {
  type BenchDirectory,
  benchDirectories,
  directoryName,
  PROVIDER_KEY,
  type ProviderKey,
} from './directories.js';
import { floorDirectory } from './floor-directories.js';
import { startSimulators } from './harness.js';
import { stop } from './processes.js';
import { median } from './results.js';
import { SCENARIOS, spread } from './scenarios.js';

const ROUNDS = Number(process.env.CALL_COST_ROUNDS ?? 3);
const SECONDS = Number(process.env.CALL_COST_SECONDS ?? 5);
const WORKERS = Number(process.env.CALL_COST_WORKERS ?? 16);
const SCENARIO = process.env.CALL_COST_SCENARIO ?? 'S2';
if (SCENARIO !== 'S1' && SCENARIO !== 'S2') throw new Error('CALL_COST_SCENARIO is S1 or S2');
/** S2: 20 users per directory (20 GETs, 1 ListUsers, 20 GETs at the contract minimum); S1: one MonoCloud user. */
const PER_DIRECTORY = SCENARIO === 'S2' ? 20 : 1;
const KEYS: readonly ProviderKey[] =
  SCENARIO === 'S2' ? ['monocloud', 'zitadel', 'appServices'] : ['monocloud'];
const CALLS_PER_OPERATION = SCENARIO === 'S2' ? PER_DIRECTORY * 2 + 1 : 1;
const WAIT_MS = Number(process.env.CALL_COST_WAIT_MS ?? 15);
const SIDES = ['floor', 'usergraph', 'graphql', 'memory', 'waiting'] as const;
type Side = (typeof SIDES)[number];
type Operation = () => Promise<unknown>;

/** The scenario's operation through the app, refused unless it answers whole. */
function graphqlOperation(app: App, body: string): Operation {
  return async () => {
    const response = await app.fetch('http://usergraph.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const text = await response.text();
    if (response.status !== 200 || text.includes('"errors"')) {
      throw new Error(`${SCENARIO} failed: ${text.slice(0, 300)}`);
    }
  };
}

/** The app as the bench's gateway configures it, bar authentication and the access log. */
function benchApp(directories: DirectoryRegistry, metrics: Metrics): App {
  return createApp({
    directories,
    metrics,
    log: pino({ level: 'warn' }),
    // One principal sends everything: its quota must not bind.
    limits: { perPrincipal: { operationsPerMinute: 100_000_000, upstreamCallsPerMinute: 1_000_000_000 } },
  });
}

/**
 * Each directory answering from what it answered once: the GraphQL layer with no I/O under it; after
 * `waitMs` on a timer when given (the operation's objects then live as long as with I/O).
 */
async function fromMemory(registry: DirectoryRegistry, ids: Record<ProviderKey, string[]>, waitMs?: number) {
  const providers = await Promise.all(
    registry.providers.map(async (provider) => {
      const known = ids[PROVIDER_KEY[provider.provider]];
      const answers = await provider.getUsers(known);
      const byId = new Map(known.map((id, index) => [id, answers[index]]));
      const remembered: DirectoryProvider = Object.create(provider);
      remembered.getUsers = async (localIds) => {
        if (waitMs !== undefined) await new Promise((resolve) => setTimeout(resolve, waitMs));
        return localIds.map((id) => byId.get(id) ?? null);
      };
      return remembered;
    }),
  );
  return new DirectoryRegistry(providers);
}

/** Operations run per side, warm-up included (to read a CPU profile per operation). */
const totals = new Map<Operation, number>();

/** The collector's pauses (ms) since the round began. */
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });

interface RoundResult {
  readonly cpuUs: number;
  readonly perSecond: number;
  /** The collector's pauses per operation (µs). */
  readonly gcUs: number;
}

async function round(operation: Operation): Promise<RoundResult> {
  const until = performance.now() + SECONDS * 1000;
  let done = 0;
  const cpu = process.cpuUsage();
  gcMs = 0;
  const worker = async () => {
    while (performance.now() < until) {
      await operation();
      done += 1;
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
  const used = process.cpuUsage(cpu);
  // The observer hears of collections a few turns later (a side answering in microtasks only hears of
  // them after its round).
  await new Promise((resolve) => setTimeout(resolve, 50));
  totals.set(operation, (totals.get(operation) ?? 0) + done);
  return { cpuUs: (used.user + used.system) / done, perSecond: done / SECONDS, gcUs: (gcMs * 1000) / done };
}

const sims = await startSimulators(Number(process.env.SIM_LATENCY_MS ?? 5));
try {
  const benched = benchDirectories(sims.info, 1, 8, WORKERS);
  const entryOf = (key: ProviderKey) =>
    benched.find((entry) => entry.name === directoryName(key, 0, 1)) as BenchDirectory;
  // The ids the scenario's body names (S1: the second of two spread over the list).
  const idsOf = (key: ProviderKey): string[] =>
    SCENARIO === 'S1'
      ? [spread(sims.info.ids[key], 2)[1] as string]
      : spread(sims.info.ids[key], PER_DIRECTORY);

  const ids = { monocloud: idsOf('monocloud'), zitadel: idsOf('zitadel'), appServices: idsOf('appServices') };
  const configs = benched.map((entry) => directoryConfig.parse(entry));
  const floors = await Promise.all(KEYS.map((key) => floorDirectory(entryOf(key))));
  const registry = buildDirectories(configs, { metrics: new Metrics() });
  const directories = KEYS.map((key) => registry.get(directoryName(key, 0, 1)) as DirectoryProvider);
  const scenario = SCENARIOS.find((candidate) => candidate.id === SCENARIO);
  if (scenario === undefined) throw new Error(`no ${SCENARIO} scenario`);
  const body = scenario.body(sims.info.ids);
  const realMetrics = new Metrics();
  const memoryMetrics = new Metrics();
  const operations: Record<Side, Operation> = {
    floor: () => Promise.all(floors.map((floor, index) => floor.getUsers(ids[KEYS[index] as ProviderKey]))),
    // What a GraphQL request's loaders pass (graphql/context.ts): the request deadline's signal and epoch.
    usergraph: async () => {
      const deadline = requestDeadline(10_000);
      const options = { signal: deadline.signal, context: withDeadline(undefined, deadline.deadline) };
      try {
        const results = await Promise.all(
          directories.map((directory, index) => directory.getUsers(ids[KEYS[index] as ProviderKey], options)),
        );
        for (const list of results) for (const user of list) if (user instanceof Error) throw user;
      } finally {
        deadline.release();
      }
    },
    graphql: graphqlOperation(
      benchApp(buildDirectories(configs, { metrics: realMetrics }), realMetrics),
      body,
    ),
    memory: graphqlOperation(benchApp(await fromMemory(buildDirectories(configs), ids), memoryMetrics), body),
    waiting: graphqlOperation(
      benchApp(await fromMemory(buildDirectories(configs), ids, WAIT_MS), new Metrics()),
      body,
    ),
  };

  const sides = (process.env.CALL_COST_SIDES ?? SIDES.join(',')).split(',') as Side[];
  for (const side of sides) if (!SIDES.includes(side)) throw new Error(`unknown side ${side}`);
  // Warm every side (JIT, connections), then alternate.
  for (const side of sides) await round(operations[side]);
  const rows = Object.fromEntries(sides.map((side) => [side, [] as RoundResult[]]));
  for (let index = 0; index < ROUNDS; index += 1) {
    for (const side of sides) rows[side]?.push(await round(operations[side]));
  }
  const cpu = (side: Side) => median((rows[side] ?? []).map((row) => row.cpuUs));
  const summary = Object.fromEntries(
    sides.map((side) => [
      side,
      {
        cpuUsPerOperation: Math.round(cpu(side)),
        gcUsPerOperation: Math.round(median((rows[side] ?? []).map((row) => row.gcUs))),
        operationsPerSecond: Math.round(median((rows[side] ?? []).map((row) => row.perSecond))),
        operationsRun: totals.get(operations[side]),
      },
    ]),
  );
  console.log(
    JSON.stringify(
      {
        scenario: SCENARIO,
        rounds: ROUNDS,
        seconds: SECONDS,
        workers: WORKERS,
        upstreamCallsPerOperation: CALLS_PER_OPERATION,
        ...summary,
        directoryLayerExtraUsPerCall: (cpu('usergraph') - cpu('floor')) / CALLS_PER_OPERATION,
        graphqlLayerUsPerOperation: cpu('graphql') - cpu('usergraph'),
        graphqlLayerWithoutIoUsPerOperation: cpu('memory'),
        graphqlLayerWaitingUsPerOperation: cpu('waiting'),
        perRound: rows,
      },
      null,
      2,
    ),
  );
} finally {
  await stop(sims.process);
}
process.exit(0);
