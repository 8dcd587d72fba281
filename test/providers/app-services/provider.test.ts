import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidPageRequest, UpstreamError } from '../../../src/directory/failures.js';
import type { AppServicesUser, User } from '../../../src/directory/model.js';
import type { KeyedResult, ListPosition, SortDirection } from '../../../src/directory/port.js';
import { mapUser } from '../../../src/providers/app-services/mapper.js';
import { WireUser } from '../../../src/providers/app-services/wire.js';
import { EXAMPLE_SERVER_USER, EXAMPLE_USERPASS_USER } from '../../../src/simulators/app-services/records.js';
import {
  type AppServicesSimulator,
  createAppServicesSimulator,
} from '../../../src/simulators/app-services/simulator.js';
import { foreignPosition } from '../../support/positions.js';
import { providerFactory } from './harness.js';

const UNKNOWN_ID = '5eb95afd000000000000dead';

let sim: AppServicesSimulator;
let providers: ReturnType<typeof providerFactory>;

beforeAll(async () => {
  sim = createAppServicesSimulator();
  await sim.listen(0);
  providers = providerFactory(sim);
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());
afterEach(() => providers.closeAll());

function upstream(result: KeyedResult<User> | undefined): UpstreamError {
  expect(result).toBeInstanceOf(UpstreamError);
  return result as UpstreamError;
}

describe('getUsers', () => {
  it('returns mapped users in key order, null for an unknown id', async () => {
    const provider = providers.make();
    const results = await provider.getUsers([EXAMPLE_SERVER_USER._id, UNKNOWN_ID, EXAMPLE_USERPASS_USER._id]);
    expect(results).toEqual([
      mapUser(WireUser.parse(EXAMPLE_SERVER_USER), 'mobile'),
      null,
      mapUser(WireUser.parse(EXAMPLE_USERPASS_USER), 'mobile'),
    ]);
    expect(sim.count('login')).toBe(1);
    expect(sim.count('getUser')).toBe(3);
    const get = sim.log.find((entry) => entry.route === 'getUser');
    expect(get?.path).toBe(
      `/api/admin/v3.0/groups/${sim.groupId}/apps/${sim.appId}/users/${EXAMPLE_SERVER_USER._id}`,
    );
    expect(get?.headers.authorization).toMatch(/^Bearer \S+$/);
    expect(sim.log.find((entry) => entry.route === 'login')?.body).toEqual({
      username: sim.publicApiKey,
      apiKey: sim.privateApiKey,
    });
  });

  it('answers an empty batch without calling upstream', async () => {
    expect(await providers.make().getUsers([])).toEqual([]);
    expect(sim.count()).toBe(0);
  });

  it('wrong key pair: the same unauthorized error for every key, one login, no key material', async () => {
    const wrongPrivate = 'wrong-private-key-0123456789';
    const provider = providers.make({ publicApiKey: 'wrongpub', privateApiKey: wrongPrivate });
    const ids = [EXAMPLE_USERPASS_USER._id, EXAMPLE_SERVER_USER._id, UNKNOWN_ID];
    const results = await provider.getUsers(ids);
    const first = upstream(results[0]);
    expect(first.kind).toBe('unauthorized');
    expect(first.status).toBe(401);
    expect(first.providerCode).toBeNull();
    for (const result of results) expect(result).toBe(first);
    const text = `${first.message} ${JSON.stringify(first)} ${String(first.stack)}`;
    for (const secret of ['wrongpub', wrongPrivate, sim.publicApiKey, sim.privateApiKey]) {
      expect(text).not.toContain(secret);
    }
    expect(sim.count('login')).toBe(1);
    expect(sim.count('getUser')).toBe(0);
  });

  it('uses a static access token without logging in', async () => {
    const { accessToken } = sim.issueTokens();
    const provider = providers.make({ accessToken });
    const [user] = await provider.getUsers([EXAMPLE_USERPASS_USER._id]);
    expect((user as AppServicesUser).localId).toBe(EXAMPLE_USERPASS_USER._id);
    expect(sim.count('login')).toBe(0);
    expect(sim.log[0]?.headers.authorization).toBe(`Bearer ${accessToken}`);
  });

  it('an invalid static token is unauthorized for every key, with no login or refresh', async () => {
    const provider = providers.make({ accessToken: 'not-a-real-token', concurrency: 4 });
    const ids = Array.from({ length: 20 }, (_, i) => `5eb95afd00000000000000${String(i).padStart(2, '0')}`);
    const results = await provider.getUsers(ids);
    const first = upstream(results[0]);
    expect(first).toMatchObject({ kind: 'unauthorized', providerCode: 'InvalidSession' });
    expect(first.message).not.toContain('not-a-real-token');
    for (const result of results) expect(result).toBe(first);
    expect(sim.count('login') + sim.count('refresh')).toBe(0);
    // Once one call reports bad credentials the rest of the batch is not sent.
    expect(sim.count('getUser')).toBeLessThanOrEqual(4);
  });

  it('a truncated 2xx body is bad_response for that key only', async () => {
    const provider = providers.make();
    sim.inject({ route: 'getUser', fault: { type: 'malformed' }, times: 1 });
    const [broken, fine] = await provider.getUsers([EXAMPLE_USERPASS_USER._id, EXAMPLE_SERVER_USER._id]);
    expect(upstream(broken)).toMatchObject({ kind: 'bad_response' });
    expect(upstream(broken).message).toContain('body is not JSON');
    expect(fine).toMatchObject({ localId: EXAMPLE_SERVER_USER._id });
  });

  it('an off-contract 2xx body is bad_response, not coerced', async () => {
    const provider = providers.make();
    sim.inject({
      route: 'getUser',
      fault: { type: 'status', status: 200, body: { ...EXAMPLE_USERPASS_USER, creation_date: 'yesterday' } },
      times: 1,
    });
    const [result] = await provider.getUsers([EXAMPLE_USERPASS_USER._id]);
    expect(upstream(result).kind).toBe('bad_response');
    expect(upstream(result).message).toContain('creation_date');
    expect(upstream(result).message).not.toContain('grace.hopper');
  });

  it('a 5xx fails only the affected key; a 429 carries Retry-After', async () => {
    const provider = providers.make({ concurrency: 1 });
    sim.inject({ route: 'getUser', fault: { type: 'status', status: 503 }, times: 1 });
    sim.inject({ route: 'getUser', fault: { type: 'rate-limit', retryAfter: '7' }, times: 1 });
    const ids = [EXAMPLE_USERPASS_USER._id, EXAMPLE_SERVER_USER._id, UNKNOWN_ID];
    const [unavailable, limited, missing] = await provider.getUsers(ids);
    expect(upstream(unavailable)).toMatchObject({ kind: 'unavailable', status: 503, retryable: true });
    expect(upstream(limited)).toMatchObject({
      kind: 'rate_limited',
      status: 429,
      retryAfterMs: 7000,
      providerCode: 'TooManyRequests',
    });
    expect(missing).toBeNull();
  });

  it('a dropped connection is unavailable for that key', async () => {
    const provider = providers.make();
    await provider.getUsers([EXAMPLE_USERPASS_USER._id]);
    sim.inject({ route: 'getUser', fault: { type: 'reset' }, times: 1 });
    const [result] = await provider.getUsers([EXAMPLE_SERVER_USER._id]);
    expect(upstream(result).kind).toBe('unavailable');
  });

  it('a wrong app id is not_found for every key, not a directory full of nulls', async () => {
    const provider = providers.make({ appId: '5e5cdca4000000000000beef' });
    const results = await provider.getUsers([EXAMPLE_USERPASS_USER._id, EXAMPLE_SERVER_USER._id]);
    expect(upstream(results[0])).toMatchObject({ kind: 'not_found', providerCode: 'AppNotFound' });
    expect(results[1]).toBe(results[0]);
    await expect(provider.listUsers({ limit: 5 })).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('rejects half-given credentials at construction', () => {
    expect(() => providers.make({ privateApiKey: undefined })).toThrow(/publicApiKey and privateApiKey/);
    expect(() => providers.make({ accessToken: 't', publicApiKey: 'p' })).toThrow(/not both/);
  });
});

describe('batching', () => {
  it('60 ids → 60 GETs, at most `concurrency` in flight; duplicates fetched once', async () => {
    const provider = providers.make({ concurrency: 5 });
    const ids = sim.records.slice(0, 60).map((record) => record._id);
    await provider.getUsers([ids[0] ?? '']); // log in first so only get-one requests are in flight below
    sim.reset();
    sim.latencyMs = 15;
    try {
      const results = await provider.getUsers(ids);
      expect(results.map((user) => (user as AppServicesUser).localId)).toEqual(ids);
      expect(sim.count('getUser')).toBe(60);
      expect(sim.maxInFlight('getUser')).toBe(5);

      sim.reset();
      const [a, b] = ids;
      const withDuplicates = [a, b, a, a, b, UNKNOWN_ID, UNKNOWN_ID].map(String);
      const deduped = await provider.getUsers(withDuplicates);
      expect(sim.count('getUser')).toBe(3);
      expect(deduped.map((user) => (user as AppServicesUser | null)?.localId ?? null)).toEqual([
        a,
        b,
        a,
        a,
        b,
        null,
        null,
      ]);
    } finally {
      sim.latencyMs = 0;
    }
  });
});

describe('listUsers', () => {
  async function walk(limit: number, direction: SortDirection): Promise<{ ids: string[]; calls: number }> {
    const provider = providers.make();
    const ids: string[] = [];
    let cursor: ListPosition | null = null;
    let calls = 0;
    do {
      const page = await provider.listUsers({ limit, cursor, direction });
      expect(page.users.length).toBeLessThanOrEqual(limit);
      expect(page.totalCount).toBeNull();
      ids.push(...page.users.map((user) => user.localId));
      cursor = page.nextCursor;
      calls += 1;
    } while (cursor !== null && calls < 100);
    return { ids, calls };
  }

  it('seed data: 200 generated users plus the two page examples, first in _id order', () => {
    expect(sim.records).toHaveLength(202);
    expect(sim.records.slice(0, 2).map((r) => r._id)).toEqual([
      EXAMPLE_USERPASS_USER._id,
      EXAMPLE_SERVER_USER._id,
    ]);
  });

  // 202 users, 50 per upstream page. Requests: limit 7 → one per call (29 calls); limit 50 → one per
  // call (4 full pages + the short last one); limit 120 → 3 for the first call (50+50+20 of 50) and 2
  // for the second (50 + the short page of 32).
  it.each([
    [7, 'ASC', 29, 29],
    [7, 'DESC', 29, 29],
    [50, 'ASC', 5, 5],
    [50, 'DESC', 5, 5],
    [120, 'ASC', 2, 5],
    [120, 'DESC', 2, 5],
  ] as const)('limit %i %s walks the full list in %i calls and %i requests', async (limit, direction, calls, requests) => {
    const expected = sim.records.map((record) => record._id);
    if (direction === 'DESC') expected.reverse();
    const walked = await walk(limit, direction);
    expect(walked.ids).toEqual(expected);
    expect(walked.calls).toBe(calls);
    expect(sim.count('listUsers')).toBe(requests);
    expect(sim.count('login')).toBe(1);
  });

  it('sends after/sort/desc and needs exactly 3 requests for 120 users', async () => {
    const provider = providers.make();
    const page = await provider.listUsers({ limit: 120, direction: 'DESC' });
    expect(page.users).toHaveLength(120);
    const queries = sim.log.filter((e) => e.route === 'listUsers').map((e) => new URLSearchParams(e.query));
    expect(queries).toHaveLength(3);
    expect(queries.map((q) => [q.get('sort'), q.get('desc')])).toEqual([
      ['_id', 'true'],
      ['_id', 'true'],
      ['_id', 'true'],
    ]);
    const reversed = [...sim.records].reverse();
    expect(queries.map((q) => q.get('after'))).toEqual([null, reversed[49]?._id, reversed[99]?._id]);
    // Over-fetched inside the third page: the cursor points at the last user returned, so none is skipped.
    const next = await provider.listUsers({ limit: 1, cursor: page.nextCursor });
    expect(next.users[0]?.localId).toBe(reversed[120]?._id);
  });

  it('a full last page means "maybe more": the next call finds the end with one request', async () => {
    const provider = providers.make();
    const first = await provider.listUsers({ limit: 200 });
    expect(first.users).toHaveLength(200);
    expect(first.nextCursor).not.toBeNull();
    sim.reset();
    const rest = await provider.listUsers({ limit: 50, cursor: first.nextCursor });
    expect(rest.users.map((u) => u.localId)).toEqual(sim.records.slice(200).map((r) => r._id));
    expect(rest.nextCursor).toBeNull();
    expect(sim.count('listUsers')).toBe(1);
  });

  it('rejects a bad limit or a foreign cursor without calling upstream', async () => {
    const provider = providers.make();
    await expect(provider.listUsers({ limit: 0 })).rejects.toThrow(InvalidPageRequest);
    await expect(provider.listUsers({ limit: 5, cursor: foreignPosition('zitadel') })).rejects.toThrow(
      InvalidPageRequest,
    );
    expect(sim.count()).toBe(0);
    // The App Services cursor once carried no filter: a cursor of one filter was taken for another.
    const page = await provider.listUsers({ limit: 2, filter: { kind: 'HUMAN' } });
    const calls = sim.count();
    for (const [filter, direction] of [
      [{ kind: 'MACHINE' }, 'ASC'],
      [undefined, 'ASC'],
      [{ kind: 'HUMAN' }, 'DESC'],
    ] as const) {
      await expect(
        provider.listUsers({ limit: 2, cursor: page.nextCursor, filter, direction }),
      ).rejects.toMatchObject({ name: 'InvalidPageRequest', argument: 'after' });
    }
    expect(sim.count()).toBe(calls);
  });

  it('an off-contract list (51 users) is bad_response', async () => {
    const provider = providers.make();
    sim.inject({
      route: 'listUsers',
      fault: { type: 'status', status: 200, body: sim.records.slice(0, 51) },
      times: 1,
    });
    await expect(provider.listUsers({ limit: 10 })).rejects.toMatchObject({ kind: 'bad_response' });
  });
});
