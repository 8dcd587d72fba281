import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/auth/api-keys.js';
import { SimulatorSet } from '../../src/simulators/index.js';
import { HaProxy } from '../support/haproxy.js';
import { RedisServer } from '../support/redis.js';
import { Replica } from '../support/replica.js';

// One principal's quota held by three replicas behind HAProxy, through one real Redis: a sliding
// window never holds more than the quota's rate plus one burst, whichever replica answers (each keeping
// its own would give three times as much), and with Redis gone each replica keeps to its third.

const PER_MINUTE = 600; // 10 a second
const BURST = PER_MINUTE / 10; // a tenth of a minute's worth
const key = generateApiKey();

let sims: SimulatorSet;
let redis: RedisServer;
let replicas: Replica[] = [];
let proxy: HaProxy;

beforeAll(async () => {
  sims = await SimulatorSet.start({ perDirectory: 3 });
  redis = await RedisServer.start();
  const config = {
    auth: { apiKeys: [{ name: 'busy-script', sha256: key.sha256, scopes: ['users:read'] }] },
    audit: { sink: 'off' },
    limits: { perPrincipal: { operationsPerMinute: PER_MINUTE } },
    redis: { path: redis.socket, keyPrefix: 'quota:', expectedReplicas: 3 },
    directories: sims.directories(),
  };
  replicas = await Promise.all(['q1', 'q2', 'q3'].map((name) => Replica.start(name, config)));
  proxy = await HaProxy.start(replicas.map((replica) => ({ name: replica.name, port: replica.port })));
}, 90_000);

afterAll(async () => {
  await proxy?.stop();
  await Promise.all(replicas.map((replica) => replica.stop()));
  await redis?.close();
  await sims?.close();
});

/** `clients` loops through HAProxy for `ms`; the times of the operations accepted, and how many were refused. */
async function hammer(ms: number, clients = 8): Promise<{ accepted: number[]; refused: number }> {
  const stop = Date.now() + ms;
  const accepted: number[] = [];
  let refused = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < stop) {
        const response = await fetch(`${proxy.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': key.key },
          body: JSON.stringify({ query: '{ directories { name } }' }),
        });
        await response.arrayBuffer();
        if (response.status === 200) accepted.push(Date.now());
        else if (response.status === 429) refused += 1;
        else throw new Error(`unexpected ${response.status}`);
      }
    }),
  );
  return { accepted: accepted.sort((a, b) => a - b), refused };
}

/** The most accepted in any window of `windowMs`. */
function busiest(times: readonly number[], windowMs: number): number {
  let most = 0;
  for (let start = 0, end = 0; end < times.length; end += 1) {
    while ((times[end] as number) - (times[start] as number) >= windowMs) start += 1;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

describe('a principal at 600 operations a minute, three replicas', () => {
  it('accepts at most the rate plus one burst in any window, across all replicas', async () => {
    const { accepted, refused } = await hammer(6_000);
    expect(refused).toBeGreaterThan(0);
    for (const seconds of [1, 3, 6]) {
      // A few may slip over a window's edge by the time one round trip takes.
      expect(busiest(accepted, seconds * 1_000)).toBeLessThanOrEqual(BURST + (PER_MINUTE / 60) * seconds + 3);
    }
    // And the quota is used: the burst, then ~10 a second.
    expect(accepted.length).toBeGreaterThanOrEqual(BURST + 40);
    // Every replica answered some of them (HAProxy spreads the load).
    for (const replica of replicas) expect(replica.output).toContain('"status":429');
  }, 30_000);

  it('with Redis gone, each replica keeps to its third: together still within the quota', async () => {
    await redis.stop();
    // Past the shared bucket's own burst, so the window holds fallback grants only.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const { accepted } = await hammer(4_000);
    await redis.start();
    expect(busiest(accepted, 4_000)).toBeLessThanOrEqual(BURST + (PER_MINUTE / 60) * 4 + 3);
    expect(accepted.length).toBeGreaterThan(10);
  }, 30_000);
});
