import { once } from 'node:events';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AdaptiveRate } from '../../src/resilience/adaptive-rate.js';
import { OutboundLimiter } from '../../src/resilience/rate-limiter.js';
import { SharedState } from '../../src/shared/shared-state.js';
import { SharedTokenBucket } from '../../src/shared/shared-token-bucket.js';
import { RedisServer, scriptCalls } from '../support/redis.js';

// The outbound quota as replicas share it through a real Redis: one bucket for all, hold-offs that
// reach every replica, and each replica's own share while Redis is gone.

let redis: RedisServer;
beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(() => redis.close());

/** A replica's view of one directory: its Redis link (`prefix`: the same one as another's) and its limiter. */
async function replica(rate: number, burst: number, expectedReplicas = 2, prefix?: string) {
  const shared = new SharedState({
    path: redis.socket,
    keyPrefix: prefix ?? `t${Math.random().toString(36).slice(2)}:`,
    expectedReplicas,
    commandTimeoutMs: 200,
  });
  if (!shared.ready) await once(shared, 'up');
  let fallbacks = 0;
  const limiter = new OutboundLimiter({
    provider: 'zitadel',
    rate: AdaptiveRate.fixed(rate),
    burst,
    maxConcurrent: 1000,
    tokens: new SharedTokenBucket(
      shared,
      'corp',
      () => rate,
      burst,
      () => {
        fallbacks += 1;
      },
    ),
    onHoldOff: (ms) => shared.publishHoldOff('corp', ms),
  });
  shared.onHoldOff('corp', (ms) => limiter.pause(Date.now() + ms));
  return { shared, limiter, fallbacks: () => fallbacks };
}

/** The most grants in any one-second window. */
function busiestSecond(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let start = 0, end = 0; end < sorted.length; end += 1) {
    while ((sorted[end] as number) - (sorted[start] as number) >= 1000) start += 1;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

it('two replicas drawing on one quota never pass rate + burst in any second together', async () => {
  const a = await replica(100, 10);
  const b = await replica(100, 10, 2, a.shared.keyPrefix);
  const granted: number[] = [];
  const take = async (limiter: OutboundLimiter) => {
    const release = await limiter.acquire('POST /v2/users', Date.now() + 10_000);
    granted.push(Date.now());
    release();
  };
  const started = Date.now();
  await Promise.all([
    ...Array.from({ length: 150 }, () => take(a.limiter)),
    ...Array.from({ length: 150 }, () => take(b.limiter)),
  ]);
  // 300 grants at 100/s after a burst of 10: at least 2.9 s, and no second above 110.
  expect(Date.now() - started).toBeGreaterThanOrEqual(2_800);
  expect(busiestSecond(granted)).toBeLessThanOrEqual(110);
  expect(a.fallbacks() + b.fallbacks()).toBe(0);
  await Promise.all([a.shared.close(), b.shared.close()]);
}, 20_000);

it('takes the tokens due now for every waiting call in one Redis round trip, not one each', async () => {
  const a = await replica(1000, 100, 1);
  const before = await scriptCalls(a.shared);
  // A batch of 40 calls at once (a page of users fetched one by one): the first asks alone, the 39
  // queued behind it get their tokens together.
  await Promise.all(
    Array.from({ length: 40 }, async () => {
      const release = await a.limiter.acquire('GET /api/users/{id}', Date.now() + 5_000);
      release();
    }),
  );
  expect((await scriptCalls(a.shared)) - before).toBeLessThanOrEqual(3);
  expect(a.fallbacks()).toBe(0);
  await a.shared.close();
});

it('a hold-off one replica was asked for holds the other replica too', async () => {
  const a = await replica(1000, 100);
  const b = await replica(1000, 100, 2, a.shared.keyPrefix);
  // The subscription must be in place before the hold-off is published.
  await new Promise((resolve) => setTimeout(resolve, 200));
  a.limiter.holdOff(1_500);
  await new Promise((resolve) => setTimeout(resolve, 100));
  const started = Date.now();
  const release = await b.limiter.acquire('POST /v2/users', Date.now() + 5_000);
  release();
  expect(Date.now() - started).toBeGreaterThanOrEqual(1_300);
  await Promise.all([a.shared.close(), b.shared.close()]);
});

it('with Redis gone each replica keeps to its share, and the shared bucket returns with Redis', async () => {
  const a = await replica(100, 10, 4);
  const downs = once(a.shared, 'down');
  await redis.stop();
  await downs;
  // A quarter of 100/s, a quarter of the burst (2): 52 grants take at least 2 s.
  const granted: number[] = [];
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 52 }, async () => {
      const release = await a.limiter.acquire('POST /v2/users', Date.now() + 10_000);
      granted.push(Date.now());
      release();
    }),
  );
  expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
  expect(busiestSecond(granted)).toBeLessThanOrEqual(25 + 2);
  expect(a.fallbacks()).toBe(52);
  const ups = once(a.shared, 'up');
  await redis.start();
  await ups;
  const release = await a.limiter.acquire('POST /v2/users', Date.now() + 1_000);
  release();
  expect(a.fallbacks()).toBe(52);
  await a.shared.close();
}, 30_000);
