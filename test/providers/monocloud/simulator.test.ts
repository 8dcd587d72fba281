import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOHN_DOE_ID } from '../../../src/simulators/monocloud/john-doe.js';
import {
  createMonoCloudSimulator,
  DEMO_API_KEY,
  type MonoCloudSimulator,
} from '../../../src/simulators/monocloud/simulator.js';
import { BULK_IMPORT_AT, generatePeople } from '../../../src/simulators/people.js';
import { fixture } from './fixtures.js';

const accounts = generatePeople({ perDirectory: 60 }).monocloud;
const sim: MonoCloudSimulator = createMonoCloudSimulator({ accounts, apiKey: 'test-key' });

async function get(path: string, key: string | null = 'test-key') {
  const res = await fetch(sim.url + path, { headers: key === null ? {} : { 'x-api-key': key } });
  return { status: res.status, headers: res.headers, body: (await res.json()) as unknown };
}

type Item = Record<string, unknown> & { user_id: string; creation_time: number; last_updated: number };

beforeAll(() => sim.listen(0));
afterAll(() => sim.close());

describe('MonoCloudSimulator', () => {
  it('serves John Doe from the "Get a user" page verbatim', async () => {
    const res = await get(`/api/users/${JOHN_DOE_ID}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(fixture('monocloud-get-user.json'));
  });

  it('lists John Doe exactly as the "Get all users" page shows him', async () => {
    const res = await get(`/api/users?filter=${JOHN_DOE_ID.toLowerCase()}`);
    expect(res.body).toEqual(fixture('monocloud-list-users.json'));
  });

  it('answers a missing or wrong X-API-KEY with a 401 problem', async () => {
    for (const key of [null, 'wrong']) {
      const res = await get(`/api/users/${JOHN_DOE_ID}`, key);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body).toEqual({
        type: 'https://httpstatuses.io/401',
        title: 'Unauthorized',
        status: 401,
        traceId: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/),
      });
    }
  });

  it('answers an unknown user with a 404 problem', async () => {
    const res = await get('/api/users/nobody');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ type: 'https://httpstatuses.io/404', title: 'Not Found', status: 404 });
  });

  it('generates current-shape users with 21-character ids, deterministically', () => {
    const again = createMonoCloudSimulator({ accounts });
    expect(again.apiKey).toBe(DEMO_API_KEY);
    expect(again.users.map((user) => user.user_id)).toEqual(sim.users.map((user) => user.user_id));
    expect(new Set(sim.users.map((user) => user.user_id)).size).toBe(accounts.length + 1);
    for (const user of sim.users.slice(1)) {
      expect(user.user_id).toMatch(/^[A-Za-z0-9]{21}$/);
      expect(user).toHaveProperty('external_providers');
      expect(user).toHaveProperty('block_until');
    }
  });

  it('pages with defaults page=1 size=10 and an x-pagination header', async () => {
    const res = await get('/api/users');
    const items = res.body as Item[];
    expect(items).toHaveLength(10);
    expect(JSON.parse(res.headers.get('x-pagination') ?? 'null')).toEqual({
      total_count: accounts.length + 1,
      page_size: 10,
      current_page: 1,
      has_next: true,
      has_previous: false,
    });
    for (const item of items) {
      expect(item).not.toHaveProperty('public_data');
      expect(item).not.toHaveProperty('private_data');
      for (const link of (item.external_providers as object[] | undefined) ?? []) {
        expect(link).not.toHaveProperty('claims');
      }
    }
  });

  it('sorts by creation_time or last_updated either way, ties broken by user_id', async () => {
    const all = (await get('/api/users?size=100&sort=creation_time:1')).body as Item[];
    expect(all.filter((item) => item.creation_time === BULK_IMPORT_AT).length).toBeGreaterThan(1);
    const byCreation = [...all].sort(
      (a, b) => a.creation_time - b.creation_time || (a.user_id < b.user_id ? -1 : 1),
    );
    expect(all.map((item) => item.user_id)).toEqual(byCreation.map((item) => item.user_id));
    const desc = (await get('/api/users?size=100&sort=creation_time:-1')).body as Item[];
    expect(desc.map((item) => item.user_id)).toEqual(byCreation.map((item) => item.user_id).reverse());
    const updated = (await get('/api/users?size=100&sort=last_updated:-1')).body as Item[];
    const times = updated.map((item) => item.last_updated);
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('filters case-insensitively by name, email, username and id', async () => {
    const account = accounts.find((a) => a.email !== null) ?? accounts[0];
    const record = sim.users[accounts.indexOf(account as (typeof accounts)[number]) + 1];
    for (const needle of [account?.familyName, account?.email, account?.username, record?.user_id]) {
      const res = await get(`/api/users?size=100&filter=${encodeURIComponent(String(needle).toUpperCase())}`);
      const ids = (res.body as Item[]).map((item) => item.user_id);
      expect(ids).toContain(record?.user_id);
    }
    const none = await get('/api/users?filter=zzzz-no-such-person');
    expect(none.body).toEqual([]);
    expect(JSON.parse(none.headers.get('x-pagination') ?? 'null')).toMatchObject({
      total_count: 0,
      has_next: false,
    });
  });

  it('refuses bad paging and sort parameters with a 400 problem', async () => {
    for (const query of [
      'size=0',
      'size=101',
      'page=0',
      'page=abc',
      'sort=given_name:1',
      'sort=creation_time:2',
      'sort=creation_time',
    ]) {
      const res = await get(`/api/users?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body).toMatchObject({ type: 'https://httpstatuses.io/400', status: 400 });
    }
  });

  it('returns an empty last page past the end', async () => {
    const res = await get('/api/users?page=99&size=10');
    expect(res.body).toEqual([]);
    expect(JSON.parse(res.headers.get('x-pagination') ?? 'null')).toMatchObject({
      current_page: 99,
      has_next: false,
      has_previous: true,
    });
  });
});
