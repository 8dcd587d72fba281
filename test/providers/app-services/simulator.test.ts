import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WireUser } from '../../../src/providers/app-services/wire.js';
import { toWireUser } from '../../../src/simulators/app-services/records.js';
import {
  type AppServicesSimulator,
  createAppServicesSimulator,
} from '../../../src/simulators/app-services/simulator.js';
import { generatePeople } from '../../../src/simulators/people.js';

let sim: AppServicesSimulator;
let token: string;

beforeAll(async () => {
  sim = createAppServicesSimulator();
  await sim.listen(0);
  token = sim.issueTokens().accessToken;
});
afterAll(() => sim.close());

async function call(path: string, init: RequestInit = {}, bearer: string | null = token) {
  const headers = new Headers(init.headers);
  if (bearer !== null) headers.set('authorization', `Bearer ${bearer}`);
  const res = await fetch(`${sim.url}/api/admin/v3.0${path}`, { ...init, headers });
  return { status: res.status, body: (await res.json()) as unknown };
}

const usersPath = () => `/groups/${sim.groupId}/apps/${sim.appId}/users`;

describe('app-services simulator data', () => {
  it('ids are ObjectIds whose first 4 bytes are the creation second, sorted and unique', () => {
    for (const record of sim.records) {
      expect(record._id).toMatch(/^[0-9a-f]{24}$/);
      expect(Number.parseInt(record._id.slice(0, 8), 16)).toBe(record.creation_date);
      expect(WireUser.safeParse(record).success).toBe(true);
    }
    const ids = sim.records.map((record) => record._id);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('turns seed accounts into App Services users', () => {
    const accounts = generatePeople().appServices;
    for (const account of accounts) {
      const user = toWireUser(account);
      const types = (user.identities ?? []).map((identity) => identity.provider_type);
      expect(user.type).toBe(account.kind === 'machine' ? 'server' : 'normal');
      expect(user.disabled).toBe(['disabled', 'blocked', 'locked'].includes(account.status));
      expect('last_authentication_date' in user).toBe(account.lastSignInAt !== null);
      if (account.kind === 'machine') expect(types).toEqual(['api-key']);
      else if (!account.emailVerified) expect(types).toEqual(['custom-token']);
      else
        expect(types.some((type) => ['local-userpass', 'oauth2-google', 'oauth2-apple'].includes(type))).toBe(
          true,
        );
    }
    // The data exercises every path the mapper cares about.
    const all = accounts.map(toWireUser).flatMap((user) => user.identities ?? []);
    for (const type of ['local-userpass', 'oauth2-google', 'oauth2-apple', 'custom-token', 'api-key']) {
      expect(all.some((identity) => identity.provider_type === type)).toBe(true);
    }
  });
});

describe('app-services simulator auth', () => {
  it('refuses a wrong key pair the way realm-cli observed (message, no error_code)', async () => {
    const res = await call(
      '/auth/providers/mongodb-cloud/login',
      { method: 'POST', body: JSON.stringify({ username: sim.publicApiKey, apiKey: 'nope' }) },
      null,
    );
    expect(res).toEqual({
      status: 401,
      body: {
        error: 'failed to authenticate with MongoDB Cloud API: You are not authorized for this resource.',
      },
    });
  });

  it('logs in, refreshes with the refresh token only, and rejects missing tokens', async () => {
    const login = await call(
      '/auth/providers/mongodb-cloud/login',
      { method: 'POST', body: JSON.stringify({ username: sim.publicApiKey, apiKey: sim.privateApiKey }) },
      null,
    );
    expect(login.status).toBe(200);
    const session = login.body as { access_token: string; refresh_token: string };
    expect(Object.keys(session).sort()).toEqual(['access_token', 'device_id', 'refresh_token', 'user_id']);

    const refreshed = await call('/auth/session', { method: 'POST' }, session.refresh_token);
    expect(refreshed.status).toBe(201);
    expect(Object.keys(refreshed.body as object)).toEqual(['access_token']);

    expect(await call('/auth/session', { method: 'POST' }, session.access_token)).toEqual({
      status: 401,
      body: { error: 'invalid refresh token: incorrect token type', error_code: 'InvalidSession' },
    });
    expect(await call('/auth/session', { method: 'POST' }, 'unknown')).toEqual({
      status: 401,
      body: { error: 'invalid session: failed to find refresh token', error_code: 'InvalidSession' },
    });
    expect((await call(usersPath(), {}, null)).body).toEqual({
      error: 'invalid session',
      error_code: 'InvalidSession',
    });
  });
});

describe('app-services simulator users', () => {
  it('404s with AppNotFound for a wrong app and UserNotFound for an unknown user', async () => {
    const wrongApp = await call(`/groups/${sim.groupId}/apps/000000000000000000000000/users`);
    expect(wrongApp).toEqual({ status: 404, body: { error: 'app not found', error_code: 'AppNotFound' } });
    const unknown = await call(`${usersPath()}/000000000000000000000000`);
    expect(unknown).toEqual({ status: 404, body: { error: 'user not found', error_code: 'UserNotFound' } });
  });

  it('lists at most 50, after an exclusive _id, ascending or descending', async () => {
    const first = (await call(usersPath())).body as WireUser[];
    expect(first.map((u) => u._id)).toEqual(sim.records.slice(0, 50).map((r) => r._id));
    const after = sim.records[9]?._id ?? '';
    const next = (await call(`${usersPath()}?after=${after}&sort=_id&desc=false`)).body as WireUser[];
    expect(next[0]?._id).toBe(sim.records[10]?._id);
    const desc = (await call(`${usersPath()}?after=${after}&desc=true`)).body as WireUser[];
    expect(desc.map((u) => u._id)).toEqual(
      sim.records
        .slice(0, 9)
        .map((r) => r._id)
        .reverse(),
    );
  });

  it('validates sort, desc and after', async () => {
    for (const query of ['sort=creation_date', 'desc=maybe', 'after=xyz', 'status=gone']) {
      const res = await call(`${usersPath()}?${query}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error_code: 'InvalidParameter' });
    }
  });

  it("accepts realm-cli's status and provider_types filters", async () => {
    const disabled = (await call(`${usersPath()}?status=disabled`)).body as WireUser[];
    expect(disabled.length).toBeGreaterThan(0);
    expect(disabled.every((u) => u.disabled)).toBe(true);
    const servers = (await call(`${usersPath()}?provider_types=api-key,anon-user`)).body as WireUser[];
    expect(servers.length).toBeGreaterThan(0);
    expect(servers.every((u) => u.type === 'server')).toBe(true);
  });
});
