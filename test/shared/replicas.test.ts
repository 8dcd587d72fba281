import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeUserId } from '../../src/directory/global-id.js';
import { SimulatorSet } from '../../src/simulators/index.js';
import { HaProxy } from '../support/haproxy.js';
import { RedisServer } from '../support/redis.js';
import { Replica } from '../support/replica.js';

// Three usergraph processes behind Debian's HAProxy, sharing a real Redis, in front of a simulated
// ZITADEL that enforces its own quota: together they keep to the quota, honour a Retry-After seen by
// one of them, keep answering when Redis or a replica dies, and page on through each other's cursors.

const QUOTA = 50;
const BURST = 10;
const CURSOR_SECRET = 'replicas-share-this-cursor-secret-0123456789';

let sims: SimulatorSet;
let redis: RedisServer;
let replicas: Replica[] = [];
let proxy: HaProxy;

/** A query that costs ZITADEL six calls (the users, then each one's passkeys) and whose answer is known. */
const QUERY = `query Corp($ids: [ID!]!) { nodes(ids: $ids) { id ... on User { displayName } ... on ZitadelUser { passkeys { id } } } }`;
let idsets: string[][] = [];
const expected = new Map<string, string>();

async function ask(base: string, ids: string[]): Promise<string> {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: QUERY, variables: { ids } }),
  });
  return `${response.status} ${await response.text()}`;
}

/** `clients` loops asking through HAProxy for `ms`; every answer is compared with the known one. */
async function load(ms: number, clients = 6): Promise<{ answers: number; wrong: string[] }> {
  const stop = Date.now() + ms;
  let answers = 0;
  const wrong: string[] = [];
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let i = client; Date.now() < stop; i += clients) {
        const ids = idsets[i % idsets.length] as string[];
        const answer = await ask(proxy.url, ids).catch((error: Error) => `failed ${error.message}`);
        answers += 1;
        if (answer !== expected.get(ids.join())) wrong.push(answer.slice(0, 300));
      }
    }),
  );
  return { answers, wrong };
}

/** The most requests the simulator received in any one-second window from `from` (to `to`). */
function busiestSecond(from: number, to = Number.POSITIVE_INFINITY): number {
  const times = sims.zitadel.log
    .filter((entry) => entry.at >= from && entry.at <= to)
    .map((entry) => entry.at);
  let most = 0;
  for (let start = 0, end = 0; end < times.length; end += 1) {
    while ((times[end] as number) - (times[start] as number) >= 1000) start += 1;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

beforeAll(async () => {
  sims = await SimulatorSet.start({ perDirectory: 30, latencyMs: 2 });
  redis = await RedisServer.start();
  const directories = sims
    .directories()
    .map((directory) =>
      directory.provider === 'zitadel'
        ? { ...directory, resilience: { rateLimit: { requestsPerSecond: QUOTA, burst: BURST } } }
        : directory,
    );
  const config = {
    auth: { mode: 'none' },
    audit: { sink: 'off' },
    requestTimeoutMs: 30_000,
    cursorSecret: CURSOR_SECRET,
    redis: { path: redis.socket, keyPrefix: 'replicas:', expectedReplicas: 3 },
    directories,
  };
  replicas = await Promise.all(['r1', 'r2', 'r3'].map((name) => Replica.start(name, config)));
  proxy = await HaProxy.start(replicas.map((replica) => ({ name: replica.name, port: replica.port })));
  const corp = sims.localIds().zitadel;
  idsets = Array.from({ length: 6 }, (_, i) =>
    corp.slice(i * 5, i * 5 + 5).map((id) => encodeUserId('corp', id)),
  );
  // The known answers, asked of one replica before any load or quota.
  for (const ids of idsets) expected.set(ids.join(), await ask(replicas[0]?.url ?? '', ids));
  for (const answer of expected.values()) expect(answer).toMatch(/^200 \{"data":\{"nodes":\[\{"id"/);
  // From here on the simulated ZITADEL refuses what goes past its quota and burst.
  sims.zitadel.quota = { perSecond: QUOTA + BURST, retryAfter: '1', mode: 'window' };
}, 90_000);

afterAll(async () => {
  await proxy?.stop();
  await Promise.all(replicas.map((replica) => replica.stop()));
  await redis?.close();
  await sims?.close();
});

describe('three replicas behind HAProxy, one Redis', () => {
  it('10 s of load: no second above the quota plus burst at the directory, no 429, no wrong answer', async () => {
    const from = Date.now();
    const { answers, wrong } = await load(10_000);
    expect(wrong).toEqual([]);
    expect(answers).toBeGreaterThan(20);
    expect(busiestSecond(from)).toBeLessThanOrEqual(QUOTA + BURST);
    expect(sims.zitadel.log.filter((entry) => entry.at >= from && entry.status === 429)).toEqual([]);
    // The load was enough to need the quota: ZITADEL got close to it.
    expect(busiestSecond(from)).toBeGreaterThanOrEqual(QUOTA - 5);
    // All three replicas served.
    for (const replica of replicas) expect(replica.output).toContain('"path":"/graphql","status":200');
  }, 30_000);

  it('a 429 with Retry-After: 2 seen by one replica silences all of them for 2 s', async () => {
    const running = load(5_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    sims.zitadel.inject({ fault: { type: 'rate-limit', retryAfter: '2' }, times: 1 });
    const { wrong } = await running;
    expect(wrong).toEqual([]);
    const refused = sims.zitadel.log.find((entry) => entry.status === 429);
    if (refused === undefined) throw new Error('the 429 was never served');
    // Calls already on the wire when the 429 went out may still land; then nothing for 2 s.
    const after = sims.zitadel.log.filter((entry) => entry.at > refused.at + 100).map((entry) => entry.at);
    expect(after.length).toBeGreaterThan(0);
    expect(Math.min(...after) - refused.at).toBeGreaterThanOrEqual(1_950);
  }, 30_000);

  it('Redis stopped mid-load: every replica keeps answering on its share; Redis back: shared again', async () => {
    const running = load(8_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const down = Date.now();
    await redis.stop();
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    await redis.start();
    const { wrong, answers } = await running;
    expect(wrong).toEqual([]);
    expect(answers).toBeGreaterThan(10);
    // While Redis was gone each replica kept to a third of the quota and of the burst: within it
    // together. Around the moments it goes and returns grants from both sides overlap: calls the shared
    // bucket granted a slot ahead (GCRA reserves) still go out after Redis went away, for as long as
    // the queue was (over a second on a busy machine), so the check starts 2 s in.
    expect(busiestSecond(down + 2_000, down + 4_000)).toBeLessThanOrEqual(QUOTA + BURST);
    for (const replica of replicas) {
      expect(replica.output).toContain('redis unreachable');
      expect(replica.output.lastIndexOf('redis reachable')).toBeGreaterThan(
        replica.output.lastIndexOf('redis unreachable'),
      );
    }
    const metrics = await (await fetch(`${replicas[0]?.url}/metrics`)).text();
    expect(metrics).toMatch(/usergraph_redis_connected 1/);
    expect(metrics).toMatch(/usergraph_quota_fallback_total\{directory="corp",provider="zitadel"\} [1-9]/);
  }, 40_000);

  it('a cursor from one replica pages on through another', async () => {
    const page = async (base: string, after?: string) => {
      const response = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query:
            'query ($after: String) { users(first: 7, after: $after) { nodes { id } pageInfo { endCursor } } }',
          variables: { after },
        }),
      });
      return (
        (await response.json()) as {
          data: { users: { nodes: { id: string }[]; pageInfo: { endCursor: string } } };
        }
      ).data.users;
    };
    const [r1, r2, r3] = replicas as [Replica, Replica, Replica];
    const first = await page(r1.url);
    const second = await page(r2.url, first.pageInfo.endCursor);
    const both = await page(r3.url);
    const fourteen = await page(r3.url, both.pageInfo.endCursor);
    expect(second.nodes.map((node) => node.id)).toEqual(fourteen.nodes.map((node) => node.id));
    expect(new Set([...first.nodes, ...second.nodes].map((node) => node.id)).size).toBe(14);
  });

  it('a replica killed mid-load: HAProxy routes around it, no wrong answer', async () => {
    const running = load(5_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await replicas[1]?.kill();
    const { wrong, answers } = await running;
    expect(wrong).toEqual([]);
    expect(answers).toBeGreaterThan(10);
  }, 30_000);
});
