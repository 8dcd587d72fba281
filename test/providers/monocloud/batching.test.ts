import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MonoCloudUser } from '../../../src/directory/model.js';
import {
  createMonoCloudProvider,
  type MonoCloudProvider,
} from '../../../src/providers/monocloud/provider.js';
import { JOHN_DOE_ID } from '../../../src/simulators/monocloud/john-doe.js';
import { MonoCloudSimulator } from '../../../src/simulators/monocloud/simulator.js';
import { generatePeople } from '../../../src/simulators/people.js';
import { bareHttp } from '../../support/http.js';

const sim = new MonoCloudSimulator({
  accounts: generatePeople({ perDirectory: 80 }).monocloud,
  latencyMs: 20,
});
const providers: MonoCloudProvider[] = [];

function provider(concurrency?: number): MonoCloudProvider {
  const created = createMonoCloudProvider({
    name: 'acme',
    http: bareHttp('monocloud', sim.url),
    apiKey: sim.apiKey,
    concurrency,
  });
  providers.push(created);
  return created;
}

/** John Doe and 59 generated users: 60 distinct existing ids. */
const known = () => [JOHN_DOE_ID, ...sim.users.slice(1, 60).map((user) => user.user_id)];
const UNKNOWN = ['unknownUser0000000001', 'unknownUser0000000002', 'unknownUser0000000003'];

function requestedIds(): string[] {
  return sim.log
    .filter((entry) => entry.route === 'getUser')
    .map((entry) => decodeURIComponent(entry.path.slice(11)));
}

beforeAll(() => sim.listen(0));
afterEach(() => sim.reset());
afterAll(async () => {
  await Promise.all(providers.map((created) => created.close()));
  await sim.close();
});

describe('getUsers fan-out', () => {
  it('sends exactly one GET per distinct id, never more than 8 at once, results in key order', async () => {
    const ids = known();
    expect(new Set(ids).size).toBe(60);
    const keys = [...ids, ids[0], ids[17], ids[59], ids[17]] as string[];
    const results = await provider().getUsers(keys);

    expect(sim.count('getUser')).toBe(60);
    expect(new Set(requestedIds())).toEqual(new Set(ids));
    expect(sim.maxInFlight('getUser')).toBeLessThanOrEqual(8);
    expect(sim.maxInFlight('getUser')).toBe(8);
    expect(results.map((result) => (result as MonoCloudUser).localId)).toEqual(keys);
    // A duplicate key shares the one result of its id.
    expect(results[60]).toBe(results[0]);
    expect(results[61]).toBe(results[17]);
  });

  it('fetches unknown ids once each too and resolves them to null', async () => {
    const ids = known();
    const keys = [UNKNOWN[0], ...ids, ...UNKNOWN, ids[3], UNKNOWN[1]] as string[];
    const results = await provider().getUsers(keys);

    expect(sim.count('getUser')).toBe(63);
    expect(
      requestedIds()
        .filter((id) => UNKNOWN.includes(id))
        .sort(),
    ).toEqual(UNKNOWN);
    expect(results).toHaveLength(keys.length);
    keys.forEach((key, index) => {
      const result = results[index];
      if (UNKNOWN.includes(key)) expect(result).toBeNull();
      else expect((result as MonoCloudUser).localId).toBe(key);
    });
  });

  it('respects a lower concurrency', async () => {
    const results = await provider(3).getUsers(known().slice(0, 24));
    expect(sim.count('getUser')).toBe(24);
    expect(sim.maxInFlight('getUser')).toBeLessThanOrEqual(3);
    expect(sim.maxInFlight('getUser')).toBe(3);
    expect(results.every((result) => result !== null && !(result instanceof Error))).toBe(true);
  });
});
