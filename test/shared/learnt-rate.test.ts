import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeUserId } from '../../src/directory/global-id.js';
import type { SharedState } from '../../src/shared/shared-state.js';
import { NodesByIdsDocument } from '../generated/graphql.js';
import { RedisServer } from '../support/redis.js';
import { Stack } from '../support/stack.js';

// Issue 18 across replicas: a rate one replica learnt from a 429 reaches the other through Redis, so
// they back off together instead of each finding the quota on its own.

let redis: RedisServer;
let links: SharedState[];
let first: Stack;
let second: Stack;

beforeAll(async () => {
  redis = await RedisServer.start();
  links = await redis.links(2, 'rate-test:');
  // 'up' means the command connection is ready; a rate published before the other replica's SUBSCRIBE
  // lands is lost (by design: the next 429 publishes again), so wait until both listen.
  for (let waited = 0; waited < 5_000; waited += 25) {
    const [, listening] = (await links[0]?.commands.pubsub('NUMSUB', 'rate-test:hold-off')) as [
      string,
      number,
    ];
    if (listening >= 2) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  first = await Stack.start({ perDirectory: 60, latencyMs: 2, shared: links[0] });
  // The second replica reads the same simulated directories.
  second = await Stack.start({ perDirectory: 1, configure: () => [...first.configs], shared: links[1] });
});
afterAll(async () => {
  await second?.close();
  await first?.close();
  for (const shared of links ?? []) await shared.close();
  await redis?.close();
});

it('a 429 at one replica lowers the other replica’s rate too', async () => {
  const rateOf = (stack: Stack) => stack.registry.get('acme')?.health?.().rate?.current ?? 0;
  expect(rateOf(second)).toBe(100);
  first.sims.monocloud.quota = { perSecond: 20 };
  const ids = first.ids.monocloud.slice(0, 40).map((id) => encodeUserId('acme', id));
  await Promise.all(Array.from({ length: 4 }, () => first.execute(NodesByIdsDocument, { ids })));
  expect(first.sims.monocloud.log.some((entry) => entry.status === 429)).toBe(true);
  const learnt = rateOf(first);
  expect(learnt).toBeLessThan(100);
  // Published on the hold-off channel; the other replica takes the lower rate.
  for (let waited = 0; rateOf(second) >= 100 && waited < 2_000; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(rateOf(second)).toBeLessThan(100);
  expect(second.registry.get('acme')?.health?.().rate?.learntLimit).not.toBeNull();
}, 30_000);
