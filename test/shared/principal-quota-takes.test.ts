import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrincipalQuotas, type QuotaTake } from '../../src/shared/principal-quota.js';
import { SharedState } from '../../src/shared/shared-state.js';
import { RedisServer, scriptCalls } from '../support/redis.js';

// An operation takes from all of its principal's quotas at once, all or none: one script call on a
// real Redis whatever the number of quotas, and a refusal spends none of them — through Redis and in
// the replica's own buckets alike.

let redis: RedisServer;
let shared: SharedState;
beforeAll(async () => {
  redis = await RedisServer.start();
  shared = new SharedState({
    path: redis.socket,
    keyPrefix: 'takes:',
    expectedReplicas: 1,
    commandTimeoutMs: 500,
  });
  if (!shared.ready) await once(shared, 'up');
});
afterAll(async () => {
  await shared?.close();
  await redis?.close();
});

const roomy = { perMinute: 6_000, burst: 600 };
const tight = { perMinute: 60, burst: 2 };

/** An operation of the principal: its operations quota, its calls and one directory's share. */
const operation = (calls: number): QuotaTake[] => [
  { name: 'operations', quota: roomy, cost: 1 },
  { name: 'calls', quota: roomy, cost: calls },
  { name: 'directory:acme', quota: tight, cost: 1 },
];

describe.each([
  ['through Redis', () => new PrincipalQuotas(shared)],
  ['in the replica’s own buckets', () => new PrincipalQuotas()],
])('a principal’s quotas %s', (_, make) => {
  it('are taken all or none: a refused operation spends none of them', async () => {
    const quotas = make();
    const who = PrincipalQuotas.keyOf(`api-key:${Math.random()}`);
    // The directory's share holds two; the third operation is refused on it alone…
    expect(await quotas.take(who, operation(100))).toEqual({ granted: true });
    expect(await quotas.take(who, operation(100))).toEqual({ granted: true });
    const refused = await quotas.take(who, operation(300));
    expect(refused.granted).toBe(false);
    // …with the wait until that share has room again (one a second), not the others' none.
    if (!refused.granted) expect(refused.retryAfterMs).toBeGreaterThan(500);
    if (!refused.granted) expect(refused.retryAfterMs).toBeLessThanOrEqual(1_000);
    // …and spent none of its 300 calls: of the calls' burst of 600, the two granted took 200, so 390
    // more fit now (they would not, had the refused operation taken its 300).
    expect(await quotas.take(who, [{ name: 'calls', quota: roomy, cost: 390 }])).toEqual({ granted: true });
    expect((await quotas.take(who, [{ name: 'calls', quota: roomy, cost: 50 }])).granted).toBe(false);
  });
});

it('costs one round trip to Redis per operation, however many quotas it takes from', async () => {
  const quotas = new PrincipalQuotas(shared);
  const who = PrincipalQuotas.keyOf('api-key:counted');
  const before = await scriptCalls(shared);
  for (let i = 0; i < 5; i += 1)
    expect(await quotas.take(who, operation(3))).toMatchObject({ granted: i < 2 });
  expect((await scriptCalls(shared)) - before).toBe(5);
  // Under the link's prefix, one hash slot for all of the principal's buckets (the hash in braces).
  const keys = (await shared.commands.keys('*')).filter((key) => key.includes(who)).sort();
  expect(keys).toEqual([
    `takes:principal:{${who}}:calls`,
    `takes:principal:{${who}}:directory:acme`,
    `takes:principal:{${who}}:operations`,
  ]);
});
