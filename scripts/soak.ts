// Bounded soak: SOAK_SECONDS (default 60) of mixed queries against the three simulators with ~10%
// injected faults. Every answer is checked against what the simulators' records say; data that is
// present must be right (errors are allowed, and counted by code). Prints wrong answers (must be 0),
// error counts, request rates and memory before and after; exits 1 on any wrong answer.
//   npm run soak            SOAK_SECONDS=10 npm run soak
import { print } from 'graphql';
import { encodeUserId } from '../src/directory/global-id.js';
import { compareUsers } from '../src/directory/merge.js';
import type { User } from '../src/directory/model.js';
import { LOG_LEVELS } from '../src/observability/logger.js';
import { mapUser as mapAppServices } from '../src/providers/app-services/mapper.js';
import { WireUser as appServicesWire } from '../src/providers/app-services/wire.js';
import { mapUser as mapMonoCloud } from '../src/providers/monocloud/mapper.js';
import { wireUser as monocloudWire } from '../src/providers/monocloud/wire.js';
import { toZitadelUser } from '../src/providers/zitadel/mapper.js';
import { userSchema as zitadelWire } from '../src/providers/zitadel/wire.js';
import { createApp } from '../src/server/app.js';
import { buildDirectories } from '../src/server/directories.js';
import { SimulatorSet } from '../src/simulators/index.js';
import type { Fault } from '../src/simulators/server.js';
import { MergedUsersDocument, NodesByIdsDocument, UsersByEmailDocument } from '../test/generated/graphql.js';

const seconds = Number(process.env.SOAK_SECONDS ?? 60);
const workers = Number(process.env.SOAK_WORKERS ?? 8);
const REQUEST_TIMEOUT_MS = 2_000;

/** About 10% of upstream requests fail, in every way the simulators can. */
const FAULTS: readonly (readonly [Fault, number])[] = [
  [{ type: 'status', status: 500 }, 0.03],
  [{ type: 'status', status: 503 }, 0.02],
  [{ type: 'rate-limit', retryAfter: '1' }, 0.01],
  [{ type: 'reset' }, 0.02],
  [{ type: 'malformed' }, 0.01],
  [{ type: 'hang' }, 0.01],
];

// Directory failures are the point here; keep their log lines out of the report.
const sims = await SimulatorSet.start({ perDirectory: 200, seed: 7 });
const configs = sims.directories();
const registry = buildDirectories(configs);
const logLevel = LOG_LEVELS.find((level) => level === process.env.LOG_LEVEL) ?? 'silent';
const app = createApp({ directories: registry, requestTimeoutMs: REQUEST_TIMEOUT_MS, logLevel });

// What the answers must say, from the simulators' own records through the providers' mappers.
const now = new Date();
const expected = new Map<string, User>();
for (const record of sims.monocloud.users) {
  expected.set(encodeUserId('acme', record.user_id), mapMonoCloud(monocloudWire.parse(record), 'acme', now));
}
for (const record of sims.zitadel.records) {
  const user = toZitadelUser(zitadelWire.parse(JSON.parse(JSON.stringify(record.user))), 'corp');
  expected.set(encodeUserId('corp', user.localId), user);
}
for (const record of sims.appServices.records) {
  expected.set(encodeUserId('mobile', record._id), mapAppServices(appServicesWire.parse(record), 'mobile'));
}
const allIds = [...expected.keys()];
const merged = [...expected.values()].sort(compareUsers);

let random = 12345;
const next = () => {
  random = (random * 1_103_515_245 + 12_345) % 2 ** 31;
  return random / 2 ** 31;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;

interface GraphQLError {
  readonly path?: readonly (string | number)[];
  readonly extensions?: { readonly code?: string; readonly directory?: string };
}

async function execute(query: string, variables: unknown) {
  const response = await app.fetch('http://usergraph.soak/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query, variables }),
  });
  const result = (await response.json()) as { data?: unknown; errors?: GraphQLError[] };
  for (const error of result.errors ?? []) {
    const code = error.extensions?.code ?? 'NONE';
    errorCounts.set(code, (errorCounts.get(code) ?? 0) + 1);
  }
  return result;
}

const errorCounts = new Map<string, number>();
const wrongAnswers: string[] = [];
let answers = 0;
const wrong = (what: string) => {
  if (wrongAnswers.length < 20) wrongAnswers.push(what);
  else wrongAnswers.push('…');
};

async function nodesQuery(): Promise<void> {
  const ids = Array.from({ length: 10 }, () =>
    next() < 0.1 ? encodeUserId('acme', `missing${next()}`) : pick(allIds),
  );
  const result = await execute(print(NodesByIdsDocument), { ids });
  const nodes = (
    result.data as { nodes?: ({ id: string; localId: string; displayName: string | null } | null)[] }
  )?.nodes;
  const failedPaths = new Set((result.errors ?? []).map((error) => String(error.path?.[1])));
  ids.forEach((id, index) => {
    const got = nodes?.[index] ?? null;
    const want = expected.get(id) ?? null;
    if (got === null) {
      if (want !== null && !failedPaths.has(String(index))) wrong(`nodes: ${id} null without an error`);
    } else if (
      want === null ||
      got.id !== id ||
      got.localId !== want.localId ||
      got.displayName !== want.displayName
    ) {
      wrong(`nodes: ${id} answered ${JSON.stringify(got)}`);
    }
  });
}

async function emailQuery(): Promise<void> {
  const emails = Array.from({ length: 3 }, () => pick(merged).emails[0]?.address ?? 'nobody@example.com');
  const result = await execute(print(UsersByEmailDocument), { emails });
  const failed = new Set((result.errors ?? []).map((error) => error.extensions?.directory));
  const entries = (
    result.data as { usersByEmail?: { email: string; accounts: { user: { id: string } }[] }[] }
  )?.usersByEmail;
  if (entries === undefined) return;
  for (const entry of entries) {
    const holders = [...expected].filter(([, user]) =>
      user.emails.some((email) => email.address.trim().toLowerCase() === entry.email),
    );
    const got = new Set(entry.accounts.map((account) => account.user.id));
    // A directory that failed (for any email of the batch) may miss accounts; none may be invented.
    const missing = holders.filter(([id, user]) => !got.has(id) && !failed.has(user.directory));
    const invented = [...got].filter((id) => !holders.some(([holder]) => holder === id));
    if (missing.length > 0 || invented.length > 0) {
      wrong(`usersByEmail: ${entry.email} missing ${missing.map(([id]) => id)} invented ${invented}`);
    }
  }
}

async function listQuery(): Promise<void> {
  const result = await execute(print(MergedUsersDocument), { first: 20 });
  const failed = new Set((result.errors ?? []).map((error) => error.extensions?.directory));
  const edges = (result.data as { users?: { edges: { node: { id: string } }[] } })?.users?.edges;
  if (edges === undefined) return;
  const want = merged
    .filter((user) => !failed.has(user.directory))
    .slice(0, 20)
    .map((user) => encodeUserId(user.directory, user.localId));
  const got = edges.map((edge) => edge.node.id);
  if (JSON.stringify(got) !== JSON.stringify(want)) wrong(`users: first page ${got.slice(0, 3).join(',')}…`);
}

const QUERIES = [nodesQuery, nodesQuery, nodesQuery, emailQuery, listQuery];

async function worker(stop: number): Promise<void> {
  while (Date.now() < stop) {
    await pick(QUERIES)();
    answers += 1;
  }
}

/** The simulators' logs would grow for the whole run; count and drop them every second instead. */
let upstreamRequests = 0;
const drain = () => {
  for (const sim of sims.all) {
    upstreamRequests += sim.log.length;
    sim.log.length = 0;
  }
};

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const heap = () => {
  globalThis.gc?.();
  return process.memoryUsage();
};

// Warm up without faults, so "before" includes the code and caches a steady state needs.
await Promise.all(Array.from({ length: workers }, () => worker(Date.now() + 2_000)));
answers = 0;
errorCounts.clear();
drain();
upstreamRequests = 0;
const before = heap();

for (const sim of sims.all) {
  for (const [fault, probability] of FAULTS) sim.inject({ fault, probability });
}
console.log(
  `soak: ${seconds} s, ${workers} concurrent clients, ~10% upstream faults, deadline ${REQUEST_TIMEOUT_MS} ms`,
);
const started = Date.now();
const drainer = setInterval(drain, 1_000);
// Heap after a full GC every SOAK_SAMPLE_SECONDS: whether it levels off is the question, not where it ends.
const samples: string[] = [];
const sampler = setInterval(
  () => samples.push(megabytes(heap().heapUsed)),
  Number(process.env.SOAK_SAMPLE_SECONDS ?? 30) * 1_000,
);
await Promise.all(Array.from({ length: workers }, () => worker(started + seconds * 1_000)));
clearInterval(sampler);
clearInterval(drainer);
drain();
const elapsed = (Date.now() - started) / 1_000;
for (const sim of sims.all) sim.clearFaults();
const after = heap();

const health = registry.providers.map(
  (p) => `${p.name}: ${p.health?.().state} (circuit ${p.health?.().circuit})`,
);
console.log(
  `answers: ${answers} (${(answers / elapsed).toFixed(1)}/s), upstream requests: ${upstreamRequests} (${(upstreamRequests / elapsed).toFixed(1)}/s)`,
);
console.log(`wrong answers: ${wrongAnswers.length}`);
for (const line of wrongAnswers) console.log(`  ${line}`);
console.log('errors by code:');
for (const [code, count] of [...errorCounts].sort()) console.log(`  ${code}: ${count}`);
console.log(
  `heap used: ${megabytes(before.heapUsed)} before, ${megabytes(after.heapUsed)} after; rss ${megabytes(before.rss)} → ${megabytes(after.rss)}`,
);
console.log(
  `heap used during the run (every ${process.env.SOAK_SAMPLE_SECONDS ?? 30} s): ${samples.join(', ')}`,
);
console.log(`directories at the end: ${health.join(', ')}`);

await registry.close();
await sims.close();
process.exit(wrongAnswers.length === 0 ? 0 : 1);
