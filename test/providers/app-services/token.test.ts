import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../src/directory/failures.js';
import type { AppServicesUser } from '../../../src/directory/model.js';
import type { DirectoryProvider } from '../../../src/directory/port.js';
import { jwtExpiryMs } from '../../../src/providers/app-services/token-manager.js';
import {
  type AppServicesSimulator,
  createAppServicesSimulator,
} from '../../../src/simulators/app-services/simulator.js';
import { providerFactory, testClock } from './harness.js';

const MINUTE = 60_000;
const clock = testClock();
let sim: AppServicesSimulator;
let providers: ReturnType<typeof providerFactory>;

beforeAll(async () => {
  sim = createAppServicesSimulator({ now: clock.now });
  await sim.listen(0);
  providers = providerFactory(sim);
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());
afterEach(() => providers.closeAll());

/** 100 separate getUsers calls at once, each for one user (ids cycle through the first 100 records). */
async function burst(provider: DirectoryProvider): Promise<void> {
  const ids = sim.records.slice(0, 100).map((record) => record._id);
  const results = await Promise.all(ids.map((id) => provider.getUsers([id])));
  const flat = results.map((result) => result[0]);
  expect(flat.map((user) => (user as AppServicesUser).localId)).toEqual(ids);
}

function unauthorizedResponses(): number {
  return sim.log.filter((entry) => entry.route === 'getUser' && entry.status === 401).length;
}

describe('login', () => {
  it('a burst of 100 calls with no token performs exactly one login', async () => {
    const provider = providers.make({ now: clock.now });
    await burst(provider);
    expect(sim.count('login')).toBe(1);
    expect(sim.logins).toBe(1);
    expect(sim.count('refresh')).toBe(0);
    expect(sim.count('getUser')).toBe(100);
  });

  it('a caller whose deadline passes while the shared login runs fails alone', async () => {
    const provider = providers.make({ now: clock.now });
    sim.latencyMs = 80;
    try {
      const id = sim.records[0]?._id ?? '';
      const [impatient, patient] = await Promise.all([
        provider.getUsers([id, 'other'], { signal: AbortSignal.timeout(20) }),
        provider.getUsers([id]),
      ]);
      expect(impatient[0]).toBeInstanceOf(UpstreamError);
      expect(impatient[0]).toMatchObject({ kind: 'timeout' });
      expect(impatient[1]).toBe(impatient[0]);
      expect((patient[0] as AppServicesUser).localId).toBe(id);
      expect(sim.count('login')).toBe(1);
    } finally {
      sim.latencyMs = 0;
    }
  });
});

describe('proactive refresh (injected clock)', () => {
  it('refreshes once, before the call, when the token is within a sixth of its lifetime of expiry', async () => {
    const provider = providers.make({ now: clock.now });
    await burst(provider);
    clock.advance(24 * MINUTE);
    sim.reset();
    await burst(provider);
    expect(sim.count('refresh')).toBe(0);

    clock.advance(2 * MINUTE); // 26 min: inside the 5-minute margin, not yet expired
    sim.reset();
    await burst(provider);
    expect(sim.count('refresh')).toBe(1);
    expect(sim.refreshes).toBe(1);
    expect(sim.count('login')).toBe(0);
    expect(unauthorizedResponses()).toBe(0);
    expect(sim.log.find((entry) => entry.route === 'refresh')?.headers.authorization).toMatch(/^Bearer /);
  });

  it('a burst of 100 after expiry performs one refresh and no failed call', async () => {
    const provider = providers.make({ now: clock.now });
    await provider.getUsers([sim.records[0]?._id ?? '']);
    clock.advance(31 * MINUTE);
    sim.reset();
    await burst(provider);
    expect(sim.count('refresh')).toBe(1);
    expect(sim.count('login')).toBe(0);
    expect(unauthorizedResponses()).toBe(0);
  });

  it('honours a configured lifetime', async () => {
    const provider = providers.make({ now: clock.now, tokenLifetimeMs: MINUTE });
    await provider.getUsers([sim.records[0]?._id ?? '']);
    clock.advance(55_000);
    sim.reset();
    await provider.getUsers([sim.records[1]?._id ?? '']);
    expect(sim.count('refresh')).toBe(1);
  });

  it('a refresh that fails with 5xx fails the batch, and the next call tries again', async () => {
    const provider = providers.make({ now: clock.now });
    await provider.getUsers([sim.records[0]?._id ?? '']);
    clock.advance(29 * MINUTE);
    sim.reset();
    sim.inject({ route: 'refresh', fault: { type: 'status', status: 503 }, times: 1 });
    const failed = await provider.getUsers([sim.records[0]?._id ?? '', sim.records[1]?._id ?? '']);
    expect(failed[0]).toMatchObject({ kind: 'unavailable', operation: 'POST /auth/session' });
    expect(failed[1]).toBe(failed[0]);
    const retried = await provider.getUsers([sim.records[0]?._id ?? '']);
    expect((retried[0] as AppServicesUser).localId).toBe(sim.records[0]?._id);
    expect(sim.count('refresh')).toBe(2);
    expect(sim.count('getUser')).toBe(1);
  });
});

describe('reactive refresh (InvalidSession)', () => {
  it('expired access tokens: a burst of 100 performs one refresh and every call succeeds', async () => {
    const provider = providers.make({ now: clock.now });
    await provider.getUsers([sim.records[0]?._id ?? '']);
    sim.expireAccessTokens();
    sim.reset();
    await burst(provider);
    expect(sim.count('refresh')).toBe(1);
    expect(sim.count('login')).toBe(0);
    // Each call was sent once with the expired token and replayed once with the new one.
    expect(unauthorizedResponses()).toBe(100);
    expect(sim.count('getUser')).toBe(200);
  });

  it('a call rejected after another call already renewed the session reuses it, with no second refresh', async () => {
    const provider = providers.make({ now: clock.now });
    await provider.getUsers([sim.records[0]?._id ?? '']);
    sim.expireAccessTokens();
    sim.reset();
    sim.latencyMs = 100;
    try {
      // First: 401 at ~100 ms, refresh until ~200 ms. Second: sent at ~150 ms with the old token (the
      // refresh has not landed), so its 401 arrives at ~250 ms, after the session was already renewed.
      const first = provider.getUsers([sim.records[0]?._id ?? '']);
      await new Promise((resolve) => setTimeout(resolve, 150));
      const second = provider.getUsers([sim.records[1]?._id ?? '']);
      const results = [...(await first), ...(await second)];
      expect(results.map((user) => (user as AppServicesUser).localId)).toEqual(
        sim.records.slice(0, 2).map((record) => record._id),
      );
      expect(unauthorizedResponses()).toBe(2);
      expect(sim.count('refresh')).toBe(1);
    } finally {
      sim.latencyMs = 0;
    }
  });

  it('a refused refresh token leads to one new login, then the replay succeeds', async () => {
    const provider = providers.make({ now: clock.now });
    await provider.getUsers([sim.records[0]?._id ?? '']);
    sim.expireAccessTokens();
    sim.revokeRefreshTokens();
    sim.reset();
    await burst(provider);
    expect(sim.count('refresh')).toBe(1);
    expect(sim.refreshes).toBe(0);
    expect(sim.count('login')).toBe(1);
    expect(sim.logins).toBe(1);
  });

  it('a second InvalidSession after renewal is unauthorized (no loop)', async () => {
    const provider = providers.make({ now: clock.now });
    await provider.getUsers([sim.records[0]?._id ?? '']);
    sim.reset();
    sim.inject({ route: 'getUser', fault: { type: 'status', status: 401 }, times: 2 });
    const [result] = await provider.getUsers([sim.records[0]?._id ?? '']);
    expect(result).toMatchObject({ kind: 'unauthorized', providerCode: 'InvalidSession', status: 401 });
    expect(sim.count('getUser')).toBe(2);
    expect(sim.count('refresh')).toBe(1);
    expect(sim.count('login')).toBe(0);
  });

  it('an expired static token is unauthorized and never refreshed', async () => {
    const { accessToken } = sim.issueTokens();
    const provider = providers.make({ accessToken, now: clock.now });
    expect(await provider.getUsers([sim.records[0]?._id ?? ''])).toHaveLength(1);
    clock.advance(31 * MINUTE);
    sim.reset();
    const [result] = await provider.getUsers([sim.records[0]?._id ?? '']);
    expect(result).toMatchObject({ kind: 'unauthorized', providerCode: 'InvalidSession' });
    expect(sim.count('refresh') + sim.count('login')).toBe(0);
  });
});

describe('jwtExpiryMs', () => {
  it('reads exp from a JWT and ignores opaque tokens', () => {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    expect(jwtExpiryMs(`${part({ alg: 'none' })}.${part({ exp: 1_700_000_000 })}.sig`)).toBe(
      1_700_000_000_000,
    );
    expect(jwtExpiryMs(`${part({ alg: 'none' })}.${part({ sub: 'x' })}.sig`)).toBeNull();
    expect(jwtExpiryMs('opaque-token')).toBeNull();
    expect(jwtExpiryMs('a.%%%.c')).toBeNull();
  });
});
