import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisActionStore } from '../../src/actions/redis-action-store.js';
import type { SharedState } from '../../src/shared/shared-state.js';
import { RedisServer } from '../support/redis.js';
import { Stack } from '../support/stack.js';
import {
  type Payload,
  type Person,
  peopleEverywhere,
  RESUME,
  SUSPEND,
  statesOf,
  writeCount,
} from './support.js';

// Two replicas behind one Redis (a real redis-server on a unix socket) share the action log: a key
// used on one answers on the other, and a suspension one made is resumed by the other. With Redis
// down, no write is made without its record.

let redis: RedisServer;
let links: SharedState[];
let first: Stack;
let second: Stack;
let people: Person[];

beforeAll(async () => {
  redis = await RedisServer.start();
  links = await redis.links(2, 'actions-test:');
  const actions = (shared: SharedState) => ({ store: new RedisActionStore(shared), keepMs: 60_000 });
  first = await Stack.start({
    perDirectory: 600,
    shared: links[0],
    actions: actions(links[0] as SharedState),
  });
  second = await Stack.start({
    perDirectory: 1,
    configure: () => [...first.configs],
    shared: links[1],
    actions: actions(links[1] as SharedState),
  });
  people = peopleEverywhere(first.sims);
});
afterAll(async () => {
  await second?.close();
  await first?.close();
  for (const shared of links ?? []) await shared.close();
  await redis?.close();
});

async function run(stack: Stack, query: string, input: Record<string, unknown>): Promise<Payload> {
  const response = await stack.app.fetch('http://usergraph.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables: { input } }),
  });
  return Object.values(((await response.json()) as { data: Record<string, Payload> }).data)[0] as Payload;
}

describe('the action log in Redis', () => {
  it('answers a repeated key on the other replica, and lets it resume what the first suspended', async () => {
    const person = people[0] as Person;
    const input = {
      userIds: [person.ids[0]],
      reason: 'INC-R',
      idempotencyKey: 'inc-r',
      revokeSessions: false,
    };
    const done = await run(first, SUSPEND, input);
    expect(done.complete).toBe(true);
    first.sims.resetAll();
    const repeat = await run(second, SUSPEND, input);
    expect(repeat).toMatchObject({ replayed: true, operationId: done.operationId });
    expect(writeCount(first.sims)).toBe(0);
    const resumed = await run(second, RESUME, { userIds: [person.ids[0]], reason: 'INC-R over' });
    expect(resumed.accounts.map((account) => account.outcome)).toEqual(['CHANGED', 'CHANGED', 'CHANGED']);
    expect(statesOf(first.sims, person)).toEqual({ acme: 'ACTIVE', corp: 'ACTIVE', mobile: 'ACTIVE' });
  });

  it('makes no write while Redis is down: the request is refused with ACTION_LOG_UNAVAILABLE', async () => {
    const person = people[1] as Person;
    await redis.stop();
    try {
      // The connection notices within its command timeout.
      for (let n = 0; n < 50 && (links[0] as SharedState).ready; n += 1)
        await new Promise((resolve) => setTimeout(resolve, 20));
      first.sims.resetAll();
      const refused = await run(first, SUSPEND, { userIds: [person.ids[0]], reason: 'INC-R2' });
      expect(refused.userErrors.map((error) => error.code)).toEqual(['ACTION_LOG_UNAVAILABLE']);
      expect(writeCount(first.sims)).toBe(0);
    } finally {
      await redis.start();
    }
  });
});
