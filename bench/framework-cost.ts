// The GraphQL server framework's own cost per request on this machine: the same trivial operation
// through graphql-yoga and through a hand-written node:http server (bench/framework-server.ts), in
// alternating rounds, 16 connections. Prints req/s and the server's CPU µs per request for each round,
// and the medians. No upstream, no usergraph plugin: what is left is the framework (BENCHMARKS.md,
// issue 30). Env: FRAMEWORKS (default bare,yoga; yoga-native is Yoga on Node's own fetch API),
// FRAMEWORK_ROUNDS (per side, default 3), FRAMEWORK_SECONDS (per round, default 8), FRAMEWORK_UPSTREAM=1
// (the field GETs one MonoCloud user from the simulators first: the framework with I/O under it).
import { runFor, type Server, type Simulators, startSimulators } from './harness.js';
import { cpuMs, start, stop } from './processes.js';
import { median } from './results.js';

const rounds = Number(process.env.FRAMEWORK_ROUNDS ?? 3);
const seconds = Number(process.env.FRAMEWORK_SECONDS ?? 8);
const body = JSON.stringify({ query: 'query Q($n: String) { hello(name: $n) }', variables: { n: 'x' } });

interface Side {
  readonly server: Server;
  readonly rps: number[];
  readonly cpuUs: number[];
}

const sims: Simulators | null = process.env.FRAMEWORK_UPSTREAM === '1' ? await startSimulators(5) : null;
const upstreamEnv =
  sims === null
    ? {}
    : {
        UPSTREAM_URL: `${sims.info.monocloud.url}/api/users/${encodeURIComponent(sims.info.ids.monocloud[0] as string)}`,
        UPSTREAM_HEADERS: JSON.stringify({
          accept: 'application/json',
          'x-api-key': sims.info.monocloud.apiKey,
        }),
      };

async function side(framework: string): Promise<Side> {
  const started = await start(
    process.execPath,
    ['--max-semi-space-size=64', '--import', 'tsx', 'bench/framework-server.ts'],
    {
      env: { ...process.env, ...upstreamEnv, FRAMEWORK: framework, NODE_ENV: 'production' },
      ready: (line) => line.startsWith('{"port"'),
    },
  );
  const port = (JSON.parse(started.line) as { port: number }).port;
  const url = `http://127.0.0.1:${port}/graphql`;
  return { server: { name: framework, url, process: started, headers: {} }, rps: [], cpuUs: [] };
}

const sides = await Promise.all((process.env.FRAMEWORKS ?? 'bare,yoga').split(',').map(side));
try {
  for (const { server } of sides) await runFor(server, body, 3);
  for (let round = 1; round <= rounds; round += 1) {
    for (const { server, rps, cpuUs } of sides) {
      const before = cpuMs(server.process.pid);
      const { requests, failures } = await runFor(server, body, seconds);
      if (failures > 0) throw new Error(`${server.name}: ${failures} failed requests`);
      rps.push(Math.round(requests / seconds));
      cpuUs.push(Math.round(((cpuMs(server.process.pid) - before) * 1000) / requests));
      console.log(
        `round ${round} ${server.name.padEnd(4)} ${rps.at(-1)} req/s, ${cpuUs.at(-1)} µs CPU per request`,
      );
    }
  }
  for (const { server, rps, cpuUs } of sides) {
    console.log(`median ${server.name.padEnd(4)} ${median(rps)} req/s, ${median(cpuUs)} µs CPU per request`);
  }
} finally {
  await Promise.all(sides.map(({ server }) => stop(server.process)));
  if (sims !== null) await stop(sims.process);
}
