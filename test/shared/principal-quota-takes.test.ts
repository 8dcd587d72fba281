import { once } from 'node:events';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrincipalQuotas, type Quota, type QuotaTake } from '../../src/shared/principal-quota.js';
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

describe('a busy principal’s quotas taken ahead', () => {
  /** 1,000 operations a second: AHEAD_MS (100 ms) of it is 100 operations, per replica its share. */
  const busy = { perMinute: 60_000, burst: 6_000 };
  const only = (quota: Quota, cost = 1): QuotaTake[] => [{ name: 'operations', quota, cost }];

  it('costs one round trip per AHEAD_MS of the quota instead of one per operation', async () => {
    const quotas = new PrincipalQuotas(shared);
    const who = PrincipalQuotas.keyOf('api-key:busy');
    const before = await scriptCalls(shared);
    // The first takes 1 and 100 ahead; the next 100 spend those; the 102nd goes to Redis again.
    for (let i = 0; i < 150; i += 1) expect(await quotas.take(who, only(busy))).toEqual({ granted: true });
    expect((await scriptCalls(shared)) - before).toBe(2);
    // A quota with less than one token per AHEAD_MS has nothing to take ahead: Redis every time.
    const slow = { perMinute: 300, burst: 100 };
    const quiet = PrincipalQuotas.keyOf('api-key:quiet');
    const counted = await scriptCalls(shared);
    for (let i = 0; i < 5; i += 1) expect(await quotas.take(quiet, only(slow))).toEqual({ granted: true });
    expect((await scriptCalls(shared)) - counted).toBe(5);
  });

  it('gives back what it held ahead when the operation is refused on another quota', async () => {
    const quotas = new PrincipalQuotas(shared);
    const who = PrincipalQuotas.keyOf(`api-key:${Math.random()}`);
    const share = (cost: number): QuotaTake[] => [
      ...only(busy),
      { name: 'directory:acme', quota: tight, cost },
    ];
    // Two operations fit the directory's share of two; each held or took its operation ahead.
    expect(await quotas.take(who, share(1))).toEqual({ granted: true });
    expect(await quotas.take(who, share(1))).toEqual({ granted: true });
    // The third is refused on the share: the operation token it paid from what was held comes back.
    expect((await quotas.take(who, share(1))).granted).toBe(false);
    // So exactly 100 operations are held ahead now: 100 without Redis, the 101st with it.
    const before = await scriptCalls(shared);
    for (let i = 0; i < 100; i += 1) expect(await quotas.take(who, only(busy))).toEqual({ granted: true });
    expect((await scriptCalls(shared)) - before).toBe(0);
    expect(await quotas.take(who, only(busy))).toEqual({ granted: true });
    expect((await scriptCalls(shared)) - before).toBe(1);
  });

  it('never lets replicas together past the quota plus what they hold ahead', async () => {
    const replicas = await redis.links(2, 'ahead:');
    try {
      // 100 a second, a burst of 60; each of two replicas holds at most 5 (its half of 100 ms's 10).
      const quota = { perMinute: 6_000, burst: 60 };
      const [one, two] = replicas.map((link) => new PrincipalQuotas(link)) as [
        PrincipalQuotas,
        PrincipalQuotas,
      ];
      const who = PrincipalQuotas.keyOf('api-key:shared');
      const started = Date.now();
      let granted = 0;
      let refused = 0;
      while (Date.now() - started < 1_500) {
        for (const quotas of [one, two]) {
          const verdict = await quotas.take(who, only(quota));
          if (verdict.granted) granted += 1;
          else refused += 1;
        }
      }
      const elapsedS = (Date.now() - started) / 1_000;
      expect(refused).toBeGreaterThan(0);
      // At most the burst, the rate over the time, and the two replicas' 5 held ahead (+1 for the clock).
      expect(granted).toBeLessThanOrEqual(60 + 100 * elapsedS + 2 * 5 + 1);
      // And no more than what they hold ahead (or the clock's rounding) went unused.
      expect(granted).toBeGreaterThanOrEqual(60 + 100 * (elapsedS - 0.05) - 2 * 5 - 2);
    } finally {
      await Promise.all(replicas.map((link) => link.close()));
    }
  });
});

it('an adversary mixing costs, quotas, replicas and concurrent operations gets no more than that', async () => {
  const replicas = await redis.links(2, 'fuzz:');
  try {
    // Per quota: its size, and per replica what it may hold ahead (half of AHEAD_MS's worth).
    const quotas = {
      operations: { quota: { perMinute: 60_000, burst: 50 }, lead: 50 },
      calls: { quota: { perMinute: 600_000, burst: 300 }, lead: 500 },
      'directory:acme': { quota: { perMinute: 6_000, burst: 5 }, lead: 5 },
    } as const;
    type Name = keyof typeof quotas;
    const take = fc.record({
      replica: fc.integer({ min: 0, max: 1 }),
      calls: fc.integer({ min: 0, max: 400 }),
      directory: fc.integer({ min: 0, max: 7 }),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(take, { minLength: 1, maxLength: 8 }), { maxLength: 25 }),
        async (batches) => {
          const sides = replicas.map((link) => new PrincipalQuotas(link));
          run += 1;
          const who = PrincipalQuotas.keyOf(`api-key:fuzz-${run}`);
          const spent: Record<Name, number> = { operations: 0, calls: 0, 'directory:acme': 0 };
          const started = Date.now();
          for (const batch of batches) {
            // Each batch at once: operations racing for what their replica holds ahead.
            await Promise.all(
              batch.map(async ({ replica, calls, directory }) => {
                const takes: QuotaTake[] = [{ name: 'operations', quota: quotas.operations.quota, cost: 1 }];
                if (calls > 0) takes.push({ name: 'calls', quota: quotas.calls.quota, cost: calls });
                if (directory > 0)
                  takes.push({
                    name: 'directory:acme',
                    quota: quotas['directory:acme'].quota,
                    cost: directory,
                  });
                const verdict = await (sides[replica] as PrincipalQuotas).take(who, takes);
                if (verdict.granted) for (const { name, cost } of takes) spent[name as Name] += cost;
              }),
            );
          }
          const elapsedMs = Date.now() - started + 2;
          for (const name of Object.keys(quotas) as Name[]) {
            const { quota, lead } = quotas[name];
            expect(spent[name]).toBeLessThanOrEqual(
              quota.burst + (quota.perMinute / 60_000) * elapsedMs + 2 * lead,
            );
          }
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 40) },
    );
  } finally {
    await Promise.all(replicas.map((link) => link.close()));
  }
}, 60_000);
