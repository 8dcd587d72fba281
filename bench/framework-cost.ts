// The GraphQL server framework's own cost per request on this machine: the same trivial operation
// through graphql-yoga and through a hand-written node:http server (bench/framework-server.ts), in
// alternating rounds, 16 connections. Prints req/s and the server's CPU µs per request for each round,
// and the medians. No upstream, no usergraph plugin: what is left is the framework (BENCHMARKS.md,
// issue 30). Env: FRAMEWORKS (default bare,yoga; yoga-native is Yoga on Node's own fetch API),
// FRAMEWORK_ROUNDS (per side, default 3), FRAMEWORK_SECONDS (per round, default 8).
import autocannon from 'autocannon';
import { cpuMs, type Started, start, stop } from './processes.js';

const rounds = Number(process.env.FRAMEWORK_ROUNDS ?? 3);
const seconds = Number(process.env.FRAMEWORK_SECONDS ?? 8);
const body = JSON.stringify({ query: 'query Q($n: String) { hello(name: $n) }', variables: { n: 'x' } });

async function side(framework: string): Promise<{ server: Started; url: string }> {
  const server = await start(
    process.execPath,
    ['--max-semi-space-size=64', '--import', 'tsx', 'bench/framework-server.ts'],
    {
      env: { ...process.env, FRAMEWORK: framework, NODE_ENV: 'production' },
      ready: (line) => line.startsWith('{"port"'),
    },
  );
  const port = (JSON.parse(server.line) as { port: number }).port;
  return { server, url: `http://127.0.0.1:${port}/graphql` };
}

async function load(url: string, duration: number) {
  return autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: 16,
    duration,
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const names = (process.env.FRAMEWORKS ?? 'bare,yoga').split(',');
const sides = Object.fromEntries(
  await Promise.all(names.map(async (name) => [name, await side(name)] as const)),
);
const figures: Record<string, { rps: number[]; cpuUs: number[] }> = Object.fromEntries(
  names.map((name) => [name, { rps: [], cpuUs: [] }]),
);
try {
  for (const { url } of Object.values(sides)) await load(url, 3);
  for (let round = 0; round < rounds; round += 1) {
    for (const [name, { server, url }] of Object.entries(sides)) {
      const before = cpuMs(server.pid);
      const result = await load(url, seconds);
      if (result.non2xx > 0 || result.errors > 0)
        throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      const cpuUs = ((cpuMs(server.pid) - before) * 1000) / result.requests.total;
      figures[name]?.rps.push(Math.round(result.requests.average));
      figures[name]?.cpuUs.push(Math.round(cpuUs));
      console.log(
        `round ${round + 1} ${name.padEnd(4)} ${Math.round(result.requests.average)} req/s, ${Math.round(cpuUs)} µs CPU per request`,
      );
    }
  }
  for (const [name, { rps, cpuUs }] of Object.entries(figures)) {
    console.log(`median ${name.padEnd(4)} ${median(rps)} req/s, ${median(cpuUs)} µs CPU per request`);
  }
} finally {
  await Promise.all(Object.values(sides).map(({ server }) => stop(server)));
}
