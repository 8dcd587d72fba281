import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeUserId } from '../../src/directory/global-id.js';
import type { RequestLogEntry } from '../../src/simulators/server.js';
import { NodesByIdsDocument, NodesWithPasskeysDocument } from '../generated/graphql.js';
import { Stack } from '../support/stack.js';

// Issue 18 over HTTP against simulators enforcing quotas the way the real services do (a token bucket
// per credential, 429 with Retry-After): with the defaults, usergraph learns MonoCloud's undocumented
// quota, keeps to ZITADEL's, and never sends a call while a directory asked for quiet.

/** Sixteen clients sending `operation` back to back for `ms`. */
async function load(ms: number, operation: () => Promise<unknown>): Promise<void> {
  const until = Date.now() + ms;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (Date.now() < until) await operation();
    }),
  );
}

/** Most requests the log holds in any sliding second of [from, to). */
function busiestSecond(log: readonly RequestLogEntry[], from: number, to: number): number {
  const times = log.filter((entry) => entry.at >= from && entry.at < to).map((entry) => entry.at);
  let most = 0;
  for (let start = 0, end = 0; end < times.length; end += 1) {
    while ((times[end] as number) - (times[start] as number) >= 1000) start += 1;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

describe('a binding, undocumented quota: MonoCloud allowing 100 requests/s', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start({ perDirectory: 200, latencyMs: 5 });
  });
  afterAll(() => stack.close());

  it('is learnt from the defaults: ≥ 90% of it used after a 10 s warm-up, ≤ 1% of calls answered 429, none during a hold-off', async () => {
    const sim = stack.sims.monocloud;
    sim.quota = { perSecond: 100 };
    const ids = stack.ids.monocloud;
    let next = 0;
    const started = Date.now();
    await load(20_000, () => {
      // 20 different users each time: 20 GETs per operation, so demand is far above the quota.
      const batch = Array.from({ length: 20 }, () => encodeUserId('acme', ids[next++ % ids.length] ?? ''));
      return stack.execute(NodesByIdsDocument, { ids: batch });
    });
    const ended = Date.now();
    const log = sim.log.filter((entry) => entry.route === 'getUser');
    const accepted = log.filter((entry) => entry.status === 200 && entry.at >= started + 10_000);
    const perSecond = accepted.length / ((ended - started - 10_000) / 1000);
    const refused = log.filter((entry) => entry.status === 429);
    console.info(
      `MonoCloud quota 100/s: ${perSecond.toFixed(1)} accepted/s after warm-up, ${refused.length} of ${log.length} calls answered 429, rate now ${stack.registry.get('acme')?.health?.().rate?.current.toFixed(1)}/s`,
    );
    expect(perSecond).toBeGreaterThanOrEqual(90);
    expect(refused.length).toBeLessThanOrEqual(log.length * 0.01);
    // Each 429 said Retry-After: 1 (the bucket refills 100 tokens/s): nothing may follow it in that
    // second but calls already on their way when it was answered (5 ms of latency, plus margin).
    for (const answer of refused) {
      const during = log.filter((entry) => entry.at > answer.at + 40 && entry.at < answer.at + 960);
      expect(during).toEqual([]);
    }
    const health = stack.registry.get('acme')?.health?.();
    expect(health?.rate).toMatchObject({ adaptive: true, ceiling: 50_000 });
    expect(health?.rate?.learntLimit).toBeGreaterThan(90);
  }, 40_000);
});

describe('an enforced quota: ZITADEL at 50 requests/s', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start({
      perDirectory: 100,
      latencyMs: 5,
      // What *.zitadel.cloud gets by default; the simulator is on 127.0.0.1, so it is configured here.
      configure: (configs) =>
        configs.map((config) =>
          config.provider === 'zitadel' ? { ...config, resilience: { rateLimit: { quota: 50 } } } : config,
        ),
    });
  });
  afterAll(() => stack.close());

  it('is never exceeded in any second, and is used', async () => {
    const sim = stack.sims.zitadel;
    sim.quota = { perSecond: 50, burst: 50 };
    const ids = stack.ids.zitadel;
    let next = 0;
    const started = Date.now();
    // One ListUsers and a passkey search per user: 21 calls per operation.
    await load(6_000, () => {
      const batch = Array.from({ length: 20 }, () => encodeUserId('corp', ids[next++ % ids.length] ?? ''));
      return stack.execute(NodesWithPasskeysDocument, { ids: batch });
    });
    const busiest = busiestSecond(sim.log, started, Date.now() + 1);
    console.info(`ZITADEL quota 50/s: busiest second ${busiest} requests`);
    expect(busiest).toBeLessThanOrEqual(50);
    expect(busiest).toBeGreaterThanOrEqual(45);
    expect(sim.log.filter((entry) => entry.status === 429)).toEqual([]);
  }, 20_000);
});
