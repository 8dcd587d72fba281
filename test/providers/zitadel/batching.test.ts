import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../src/directory/failures.js';
import type { ZitadelUser } from '../../../src/directory/model.js';
import type { ZitadelProvider } from '../../../src/providers/zitadel/provider.js';
import { generatePeople } from '../../../src/simulators/people.js';
import { createZitadelSimulator, type ZitadelSimulator } from '../../../src/simulators/zitadel/simulator.js';
import { type ZitadelOptions, zitadelProvider } from '../../support/zitadel.js';

let sim: ZitadelSimulator;
let origin: string;
const opened: ZitadelProvider[] = [];
let ids: string[];

function newProvider(options: ZitadelOptions = {}): ZitadelProvider {
  return zitadelProvider(origin, sim.token, opened, options);
}

interface ListBody {
  readonly query: { readonly offset: string; readonly limit: number; readonly asc: boolean };
  readonly queries: readonly [{ readonly inUserIdsQuery: { readonly userIds: readonly string[] } }];
}

function listBodies(): ListBody[] {
  return sim.log.filter((entry) => entry.route === 'listUsers').map((entry) => entry.body as ListBody);
}

beforeAll(async () => {
  sim = createZitadelSimulator({ accounts: generatePeople({ perDirectory: 300 }).zitadel });
  origin = await sim.listen(0);
  ids = sim.records.map((record) => record.user.userId);
});

afterAll(async () => {
  await Promise.all(opened.map((provider) => provider.close()));
  await sim.close();
});

beforeEach(() => {
  sim.reset();
  sim.latencyMs = 0;
});

describe('getUsers batching', () => {
  it('60 keys (54 known, 3 unknown, 3 repeats) → ONE ListUsers call with an explicit limit and all distinct ids', async () => {
    const known = ids.slice(10, 64).reverse();
    const unknown = ['11111111111111111', '22222222222222222', '33333333333333333'];
    const keys = [...known.slice(0, 20), unknown[0], known[5], ...known.slice(20, 40), unknown[1], known[30]];
    keys.push(...known.slice(40), known[41], unknown[2]);
    const typedKeys = keys as string[];
    expect(typedKeys).toHaveLength(60);
    const distinct = [...new Set(typedKeys)];
    expect(distinct).toHaveLength(57);

    const results = await newProvider().getUsers(typedKeys);

    expect(sim.count()).toBe(1);
    expect(sim.count('listUsers')).toBe(1);
    const [body] = listBodies();
    expect(body?.query).toEqual({ offset: '0', limit: 57, asc: true });
    expect(body?.queries).toHaveLength(1);
    expect(body?.queries[0].inUserIdsQuery.userIds).toEqual(distinct);

    expect(results).toHaveLength(60);
    typedKeys.forEach((key, index) => {
      const result = results[index];
      if (unknown.includes(key)) expect(result, key).toBeNull();
      else expect((result as ZitadelUser).localId, key).toBe(key);
    });
    // A repeated key gets the same user as its first occurrence.
    expect(results[21]).toBe(results[typedKeys.indexOf(known[5] as string)]);
  });

  it('250 ids with chunkSize 100 → 3 calls (100, 100, 50), at most `concurrency` in flight', async () => {
    sim.latencyMs = 25;
    const keys = ids.slice(0, 250);
    const results = await newProvider({ chunkSize: 100, concurrency: 2 }).getUsers(keys);
    expect(sim.count('listUsers')).toBe(3);
    const bodies = listBodies();
    expect(bodies.map((body) => body.query.limit).sort()).toEqual([100, 100, 50]);
    expect(bodies.flatMap((body) => body.queries[0].inUserIdsQuery.userIds).sort()).toEqual([...keys].sort());
    expect(sim.maxInFlight('listUsers')).toBe(2);
    expect(results.map((result) => (result as ZitadelUser).localId)).toEqual(keys);
  });

  it('a failing chunk fails only its own keys', async () => {
    sim.inject({ route: 'listUsers', times: 1, fault: { type: 'status', status: 503 } });
    const keys = ids.slice(0, 250);
    const results = await newProvider({ chunkSize: 100, concurrency: 1 }).getUsers(keys);
    const failed = results.filter((result) => result instanceof UpstreamError);
    expect(failed).toHaveLength(100);
    expect(new Set(failed).size).toBe(1);
    expect(results.slice(0, 100).every((result) => result instanceof UpstreamError)).toBe(true);
    expect(results.slice(100).every((result) => (result as ZitadelUser).provider === 'zitadel')).toBe(true);
  });

  it('a 403 on one chunk fails every key of the batch and stops the remaining chunks', async () => {
    sim.inject({ route: 'listUsers', times: 1, fault: { type: 'status', status: 403 } });
    const results = await newProvider({ chunkSize: 100, concurrency: 1 }).getUsers(ids.slice(0, 250));
    expect(sim.count('listUsers')).toBe(1);
    expect(new Set(results).size).toBe(1);
    expect(results[0]).toMatchObject({ kind: 'forbidden', providerCode: 'PERMISSION_DENIED' });
  });

  it('identities and passkeys are fetched only when asked for', async () => {
    const provider = newProvider();
    const keys = ids.slice(0, 40);
    await provider.getUsers(keys);
    expect(sim.count('listIdpLinks')).toBe(0);
    expect(sim.count('listPasskeys')).toBe(0);

    sim.reset();
    await provider.getIdentities([...keys, ...keys.slice(0, 5)]);
    expect(sim.count('listIdpLinks')).toBe(40);
    expect(sim.count('listUsers')).toBe(0);
    expect(sim.maxInFlight('listIdpLinks')).toBeLessThanOrEqual(8);
  });
});
