import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InvalidPageRequest, UpstreamError } from '../../../src/directory/failures.js';
import type { User } from '../../../src/directory/model.js';
import type { ListPosition, SortDirection } from '../../../src/directory/port.js';
import {
  createMonoCloudProvider,
  type MonoCloudProvider,
} from '../../../src/providers/monocloud/provider.js';
import { JOHN_DOE_ID } from '../../../src/simulators/monocloud/john-doe.js';
import { MonoCloudSimulator } from '../../../src/simulators/monocloud/simulator.js';
import { generatePeople } from '../../../src/simulators/people.js';
import { bareHttp } from '../../support/http.js';
import { foreignPosition } from '../../support/positions.js';

const sim = new MonoCloudSimulator({ accounts: generatePeople({ perDirectory: 60 }).monocloud });
let provider: MonoCloudProvider;

/** The simulator's users in creation order, ties by id: what a full walk must return. */
function expectedOrder(direction: SortDirection): string[] {
  const sorted = [...sim.users].sort(
    (a, b) =>
      (a.creation_time ?? 0) - (b.creation_time ?? 0) ||
      (a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : 0),
  );
  const ids = sorted.map((user) => user.user_id);
  return direction === 'ASC' ? ids : ids.reverse();
}

async function walk(limit: number, direction: SortDirection) {
  const ids: string[] = [];
  const totals = new Set<number | null>();
  let cursor: ListPosition | null = null;
  let pages = 0;
  do {
    const page = await provider.listUsers({ limit, cursor, direction });
    pages += 1;
    expect(page.users.length).toBeLessThanOrEqual(limit);
    ids.push(...page.users.map((user) => user.localId));
    totals.add(page.totalCount);
    cursor = page.nextCursor;
  } while (cursor !== null && pages < 100);
  return { ids, totals, pages };
}

beforeAll(async () => {
  const baseUrl = await sim.listen(0);
  provider = createMonoCloudProvider({
    name: 'acme',
    http: bareHttp('monocloud', baseUrl, { timeoutMs: 2000 }),
    apiKey: sim.apiKey,
  });
});

afterEach(() => sim.reset());

afterAll(async () => {
  await provider.close();
  await sim.close();
});

describe('getUsers', () => {
  it('returns users, null for unknown ids, in key order', async () => {
    const other = sim.users[3]?.user_id ?? '';
    const results = await provider.getUsers([other, 'unknownUserId00000000', JOHN_DOE_ID]);
    expect(results).toHaveLength(3);
    expect((results[0] as User).localId).toBe(other);
    expect(results[1]).toBeNull();
    expect(results[2]).toMatchObject({
      provider: 'monocloud',
      directory: 'acme',
      localId: JOHN_DOE_ID,
      status: 'DISABLED',
      displayName: 'John Doe',
    });
    expect(sim.count('getUser')).toBe(3);
  });

  it('gives every key the same 401 error and stops sending once it knows the key is bad', async () => {
    const bad = createMonoCloudProvider({
      name: 'acme',
      http: bareHttp('monocloud', sim.url),
      apiKey: 'nope-secret',
      concurrency: 2,
    });
    try {
      const ids = sim.users.slice(0, 20).map((user) => user.user_id);
      const results = await bad.getUsers([...ids, 'unknownUserId00000000']);
      const [first] = results;
      expect(first).toBeInstanceOf(UpstreamError);
      expect(first).toMatchObject({ kind: 'unauthorized', status: 401 });
      expect(results.every((result) => result === first)).toBe(true);
      expect(String(first)).not.toContain('nope-secret');
      expect(sim.count('getUser')).toBeLessThanOrEqual(2);
    } finally {
      await bad.close();
    }
  });

  it('gives every key a 403 when the key lacks rights', async () => {
    sim.inject({ route: 'getUser', fault: { type: 'status', status: 403 } });
    const results = await provider.getUsers([JOHN_DOE_ID, sim.users[1]?.user_id ?? '']);
    expect(results.map((result) => (result as UpstreamError).kind)).toEqual(['forbidden', 'forbidden']);
  });

  it('fails only the affected key on a 500, a reset or an off-contract body', async () => {
    const ids = sim.users.slice(0, 4).map((user) => user.user_id);
    const provider1 = createMonoCloudProvider({
      name: 'acme',
      http: bareHttp('monocloud', sim.url),
      apiKey: sim.apiKey,
      concurrency: 1,
    });
    try {
      sim.inject({ route: 'getUser', fault: { type: 'status', status: 500 }, times: 1 });
      sim.inject({ route: 'getUser', fault: { type: 'reset' }, times: 1 });
      sim.inject({ route: 'getUser', fault: { type: 'malformed' }, times: 1 });
      const results = await provider1.getUsers(ids);
      expect(results.slice(0, 3).map((result) => (result as UpstreamError).kind)).toEqual([
        'unavailable',
        'unavailable',
        'bad_response',
      ]);
      expect((results[3] as User).localId).toBe(ids[3]);
    } finally {
      await provider1.close();
    }
  });

  it('reports a per-key timeout when one call hangs', async () => {
    const quick = createMonoCloudProvider({
      name: 'acme',
      http: bareHttp('monocloud', sim.url, { timeoutMs: 150 }),
      apiKey: sim.apiKey,
    });
    try {
      sim.inject({ route: 'getUser', fault: { type: 'hang' }, times: 1 });
      const results = await quick.getUsers([JOHN_DOE_ID, sim.users[2]?.user_id ?? '']);
      expect((results[0] as UpstreamError).kind).toBe('timeout');
      expect(results[1]).toMatchObject({ provider: 'monocloud' });
    } finally {
      await quick.close();
    }
  });

  it('honours the caller deadline', async () => {
    sim.latencyMs = 300;
    try {
      const results = await provider.getUsers([JOHN_DOE_ID], { signal: AbortSignal.timeout(50) });
      expect((results[0] as UpstreamError).kind).toBe('timeout');
      // Let the abandoned request finish upstream so it does not land in the next test's log.
      await expect.poll(() => sim.count('getUser'), { timeout: 2000 }).toBe(1);
    } finally {
      sim.latencyMs = 0;
    }
  });
});

describe('listUsers', () => {
  it.each([
    [7, 'ASC'],
    [10, 'ASC'],
    [7, 'DESC'],
    [10, 'DESC'],
  ] as const)('walks every page with limit %i %s and matches the full sorted list', async (limit, direction) => {
    const { ids, totals, pages } = await walk(limit, direction);
    expect(ids).toEqual(expectedOrder(direction));
    expect([...totals]).toEqual([sim.users.length]);
    expect(pages).toBe(Math.ceil(sim.users.length / limit));
    // Offsets stay multiples of the limit, so each page is one upstream request of exactly that size.
    expect(sim.count('listUsers')).toBe(pages);
    expect(new Set(sim.log.map((entry) => new URLSearchParams(entry.query).get('size')))).toEqual(
      new Set([String(limit)]),
    );
    expect(new URLSearchParams(sim.log[0]?.query).get('sort')).toBe(
      `creation_time:${direction === 'ASC' ? 1 : -1}`,
    );
  });

  it('continues from an unaligned offset with one upstream request when one page can hold the window', async () => {
    const first = await provider.listUsers({ limit: 10 });
    const second = await provider.listUsers({ limit: 7, cursor: first.nextCursor });
    expect(second.users.map((user) => user.localId)).toEqual(expectedOrder('ASC').slice(10, 17));
    expect(sim.count('listUsers')).toBe(2);
    expect(second.nextCursor).toEqual({ provider: 'monocloud', direction: 'ASC', filter: '', at: 17 });
  });

  it('uses two upstream pages when no single page can hold the window', async () => {
    const first = await provider.listUsers({ limit: 1 });
    // [1, 101) fits in no page of size ≤ 100: pages 1 and 2 of size 100.
    const second = await provider.listUsers({ limit: 100, cursor: first.nextCursor });
    expect(second.users.map((user) => user.localId)).toEqual(expectedOrder('ASC').slice(1));
    expect(second.nextCursor).toBeNull();
    expect(sim.log.slice(1).map((entry) => new URLSearchParams(entry.query).get('page'))).toEqual(['1', '2']);
    expect(sim.count('listUsers')).toBe(3);
  });

  it('returns a null cursor on the last page and an empty page past the end', async () => {
    const all = await provider.listUsers({ limit: 100 });
    expect(all.users).toHaveLength(sim.users.length);
    expect(all.nextCursor).toBeNull();
    expect(all.totalCount).toBe(sim.users.length);
    const exact = await provider.listUsers({ limit: sim.users.length });
    expect(exact.nextCursor).toBeNull();
  });

  it('maps list items as summaries (no public/private data)', async () => {
    const page = await provider.listUsers({ limit: 5 });
    expect(page.users.every((user) => user.provider === 'monocloud' && user.publicData === null)).toBe(true);
  });

  it('refuses a cursor from the other direction or not its own', async () => {
    const page = await provider.listUsers({ limit: 5, direction: 'DESC' });
    await expect(
      provider.listUsers({ limit: 5, cursor: page.nextCursor, direction: 'ASC' }),
    ).rejects.toMatchObject({ name: 'InvalidPageRequest', argument: 'after' });
    await expect(provider.listUsers({ limit: 5, cursor: foreignPosition('zitadel') })).rejects.toThrow(
      InvalidPageRequest,
    );
    const next = await provider.listUsers({ limit: 5, cursor: page.nextCursor });
    expect(next.users.map((user) => user.localId)).toEqual(expectedOrder('DESC').slice(5, 10));
  });

  it('throws the upstream error for a failed page', async () => {
    sim.inject({ route: 'listUsers', fault: { type: 'rate-limit', retryAfter: '3' } });
    await expect(provider.listUsers({ limit: 5 })).rejects.toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 3000,
    });
  });
});
