// The pushed feed's cost: usergraph (compiled, production settings) with 0, 1 and 100 SSE subscribers
// while MonoCloud makes 10 changes a second. Per phase: the upstream change reads (independent of the
// subscriber count, the feed's promise), usergraph's CPU as a share of one core, and the events each
// subscriber got. `tsx bench/subscribers.ts` after `npm run build`; SUB_SECONDS sets a phase's length,
// SUB_PROFILE a directory for usergraph's CPU profile (`tsx bench/profile-top.ts <file>`).
import { benchDirectories } from './directories.js';
import { benchCredentials, ROOT, startGateway, startSimulators, upstreamCounts } from './harness.js';
import { cpuMs, stop } from './processes.js';

const SECONDS = Number(process.env.SUB_SECONDS ?? 20);
const RATE = 10;
const sims = await startSimulators(5);
const credentials = await benchCredentials('none');
const gateway = await startGateway(
  'usergraph',
  ROOT,
  benchDirectories(sims.info, 1, 8, 16).filter((directory) => directory.provider === 'monocloud'),
  credentials,
  process.env.SUB_PROFILE,
  [],
  {
    config: {
      feed: {
        subscriptionsPerPrincipal: 200,
        eventsPerSecond: 100,
        minIntervalMs: 200,
        maxIntervalMs: 1_000,
      },
      server: { drainSeconds: 0 },
    },
  },
);

interface Phase {
  readonly subscribers: number;
  readonly changeReads: number;
  readonly cpuShareOfOneCore: number;
  readonly eventsPerSubscriber: { readonly min: number; readonly max: number };
}

function subscribe(counter: { events: number }, signal: AbortSignal): void {
  void (async () => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { changes { cursor change { id kind at userId } } }' }),
      signal,
    });
    const reader = response.body?.getReader();
    const decoder = new TextDecoder();
    while (reader) {
      const { value, done } = await reader.read();
      if (done) break;
      counter.events += decoder.decode(value, { stream: true }).split('event: next').length - 1;
    }
  })().catch(() => undefined);
}

async function phase(subscribers: number): Promise<Phase> {
  const controller = new AbortController();
  const counters = Array.from({ length: subscribers }, () => ({ events: 0 }));
  for (const counter of counters) subscribe(counter, controller.signal);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  for (const counter of counters) counter.events = 0;
  await upstreamCounts(sims);
  const cpuBefore = cpuMs(gateway.process.pid);
  const started = Date.now();
  for (let tick = 0; tick < SECONDS * RATE; tick += 1) {
    await fetch(`${sims.info.control}/__signins?count=1`, { method: 'POST' });
    const next = started + ((tick + 1) * 1000) / RATE;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
  }
  // The last changes reach the subscribers within a poll or two.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const cpu = cpuMs(gateway.process.pid) - cpuBefore;
  const elapsed = Date.now() - started;
  const counts = await upstreamCounts(sims);
  controller.abort();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const events = counters.map((counter) => counter.events);
  return {
    subscribers,
    changeReads: (counts.monocloud?.listLogs ?? 0) + (counts.monocloud?.listUsers ?? 0),
    cpuShareOfOneCore: Math.round((cpu / elapsed) * 1000) / 1000,
    eventsPerSubscriber: {
      min: Math.min(...events, 0 + (events.length ? Infinity : 0)),
      max: Math.max(0, ...events),
    },
  };
}

const phases: Phase[] = [];
for (const subscribers of (process.env.SUB_COUNTS ?? '0,1,100').split(',').map(Number)) {
  phases.push(await phase(subscribers));
}
console.log(JSON.stringify({ seconds: SECONDS, changesPerSecond: RATE, phases }, null, 2));
await stop(gateway.process);
await stop(sims.process);
await credentials.close();
