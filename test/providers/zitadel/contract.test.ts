import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidPageRequest, UpstreamError } from '../../../src/directory/failures.js';
import type { Passkey, User, ZitadelUser } from '../../../src/directory/model.js';
import type { KeyedResult, ListPosition } from '../../../src/directory/port.js';
import { ZitadelClient } from '../../../src/providers/zitadel/client.js';
import { toZitadelUser } from '../../../src/providers/zitadel/mapper.js';
import type { ZitadelProvider } from '../../../src/providers/zitadel/provider.js';
import { getUserByIdResponseSchema } from '../../../src/providers/zitadel/wire.js';
import {
  EXAMPLE_HUMAN_ID,
  EXAMPLE_MACHINE_ID,
  ZITADEL_IDP_IDS,
} from '../../../src/simulators/zitadel/data.js';
import { createZitadelSimulator, type ZitadelSimulator } from '../../../src/simulators/zitadel/simulator.js';
import { bareHttp } from '../../support/http.js';
import { foreignPosition } from '../../support/positions.js';
import { type ZitadelOptions, zitadelProvider } from '../../support/zitadel.js';

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8'));
}

const UNKNOWN_ID = '99999999999999999';

let sim: ZitadelSimulator;
let origin: string;
let provider: ZitadelProvider;
let client: ZitadelClient;
const opened: { close(): Promise<void> }[] = [];

function newProvider(options: ZitadelOptions = {}): ZitadelProvider {
  return zitadelProvider(origin, sim.token, opened, options);
}

function upstream(result: unknown): UpstreamError {
  expect(result).toBeInstanceOf(UpstreamError);
  return result as UpstreamError;
}

beforeAll(async () => {
  sim = createZitadelSimulator();
  origin = await sim.listen(0);
  provider = newProvider();
  client = new ZitadelClient({ http: bareHttp('zitadel', origin), token: sim.token });
  opened.push(client);
});

afterAll(async () => {
  await Promise.all(opened.map((each) => each.close()));
  await sim.close();
});

beforeEach(() => {
  sim.reset();
});

describe('GetUserByID', () => {
  it('the simulator serves the fixtures verbatim', async () => {
    for (const [id, name] of [
      [EXAMPLE_HUMAN_ID, 'zitadel-get-user-human.json'],
      [EXAMPLE_MACHINE_ID, 'zitadel-get-user-machine.json'],
    ] as const) {
      const res = await fetch(`${origin}/v2/users/${id}`, {
        headers: { authorization: `Bearer ${sim.token}` },
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(fixture(name));
    }
  });

  it('the client sends the bearer token and decodes the user; unknown id → null', async () => {
    const wire = await client.getUser(EXAMPLE_HUMAN_ID);
    expect(wire).toEqual(getUserByIdResponseSchema.parse(fixture('zitadel-get-user-human.json')).user);
    expect(sim.log[0]?.headers.authorization).toBe(`Bearer ${sim.token}`);
    expect(sim.log[0]?.path).toBe(`/v2/users/${EXAMPLE_HUMAN_ID}`);
    expect(await client.getUser(UNKNOWN_ID)).toBeNull();
    expect(sim.count('getUser')).toBe(2);
  });
});

describe('getUsers', () => {
  it('returns mapped users in key order, unknown ids as null, in one ListUsers call', async () => {
    const results = await provider.getUsers([EXAMPLE_MACHINE_ID, UNKNOWN_ID, EXAMPLE_HUMAN_ID]);
    const human = getUserByIdResponseSchema.parse(fixture('zitadel-get-user-human.json')).user;
    const machine = getUserByIdResponseSchema.parse(fixture('zitadel-get-user-machine.json')).user;
    expect(results).toEqual([toZitadelUser(machine, 'corp'), null, toZitadelUser(human, 'corp')]);
    expect(sim.count()).toBe(1);
    expect(sim.log[0]?.body).toEqual({
      query: { offset: '0', limit: 3, asc: true },
      queries: [{ inUserIdsQuery: { userIds: [EXAMPLE_MACHINE_ID, UNKNOWN_ID, EXAMPLE_HUMAN_ID] } }],
    });
  });

  it('an empty key list makes no request', async () => {
    expect(await provider.getUsers([])).toEqual([]);
    expect(sim.count()).toBe(0);
  });

  it('a bad token: the same 401 error for every key, no token in the message, no further calls', async () => {
    const secret = 'zpat_wrong_token_value_123';
    const bad = newProvider({ token: secret, chunkSize: 1, concurrency: 1 });
    const results = await bad.getUsers([EXAMPLE_HUMAN_ID, EXAMPLE_MACHINE_ID, UNKNOWN_ID, 'x', 'y']);
    const first = upstream(results[0]);
    expect(first).toMatchObject({
      kind: 'unauthorized',
      status: 401,
      providerCode: 'UNAUTHENTICATED',
      operation: 'POST /v2/users',
      retryable: false,
    });
    expect(first.message).toContain('AUTH-7fs1e');
    expect(new Set(results)).toEqual(new Set([first]));
    for (const text of [first.message, String(first.stack)]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(sim.token);
      expect(text).not.toContain('Errors.Token.Invalid');
    }
    // chunkSize 1 and concurrency 1: the first 401 stops the other four chunks.
    expect(sim.count('listUsers')).toBe(1);
    expect(sim.log[0]?.headers.authorization).toBe(`Bearer ${secret}`);
  });

  it.each([
    [403, 'forbidden', 'PERMISSION_DENIED'],
    [404, 'not_found', 'NOT_FOUND'],
    [400, 'bad_request', 'INVALID_ARGUMENT'],
    [500, 'unavailable', 'INTERNAL'],
    [503, 'unavailable', 'UNAVAILABLE'],
    [504, 'timeout', 'DEADLINE_EXCEEDED'],
  ] as const)('a grpc-gateway %i body → kind %s, code %s, the error id as detail', async (status, kind, code) => {
    sim.inject({ route: 'listUsers', fault: { type: 'status', status }, times: 1 });
    const results = await provider.getUsers([EXAMPLE_HUMAN_ID, EXAMPLE_MACHINE_ID]);
    const error = upstream(results[0]);
    expect(error).toMatchObject({ kind, status, providerCode: code });
    expect(error.message).toContain(`SIMULATOR-${status}`);
    expect(error.message).not.toContain('injected fault');
    expect(results[1]).toBe(error);
  });

  it('a Connect-style body (string code, ErrorDetail under debug) is read the same way', async () => {
    sim.inject({
      route: 'listUsers',
      times: 1,
      fault: {
        type: 'status',
        status: 403,
        body: {
          code: 'permission_denied',
          message: 'No matching permissions found (AUTHZ-HKJD33)',
          details: [
            { type: 'zitadel.v1.ErrorDetail', value: 'CgtBVVRIWi1IS0pEMzM=', debug: { id: 'AUTHZ-HKJD33' } },
          ],
        },
      },
    });
    const [result] = await provider.getUsers([EXAMPLE_HUMAN_ID]);
    expect(upstream(result)).toMatchObject({ kind: 'forbidden', providerCode: 'PERMISSION_DENIED' });
    expect(upstream(result).message).toContain('AUTHZ-HKJD33');
  });

  it('an error body that is not JSON still yields a typed error, without echoing the body', async () => {
    sim.inject({
      route: 'listUsers',
      times: 1,
      fault: { type: 'status', status: 502, body: 'upstream <html>' },
    });
    const [result] = await provider.getUsers([EXAMPLE_HUMAN_ID]);
    expect(upstream(result)).toMatchObject({ kind: 'unavailable', status: 502, providerCode: null });
    expect(upstream(result).message).not.toContain('html');
  });

  it('429 → rate_limited with Retry-After, retryable', async () => {
    sim.inject({ route: 'listUsers', times: 1, fault: { type: 'rate-limit', retryAfter: '7' } });
    const [result] = await provider.getUsers([EXAMPLE_HUMAN_ID]);
    expect(upstream(result)).toMatchObject({
      kind: 'rate_limited',
      status: 429,
      providerCode: 'RESOURCE_EXHAUSTED',
      retryAfterMs: 7000,
      retryable: true,
    });
  });

  it('malformed JSON on 200 → bad_response', async () => {
    sim.inject({ route: 'listUsers', times: 1, fault: { type: 'malformed' } });
    const [result] = await provider.getUsers([EXAMPLE_HUMAN_ID]);
    expect(upstream(result)).toMatchObject({ kind: 'bad_response', status: null });
  });

  it.each([
    ['result is not an array', { result: { userId: EXAMPLE_HUMAN_ID } }],
    ['a user without userId', { result: [{ human: {} }] }],
    [
      'a user with both human and machine',
      { result: [{ userId: EXAMPLE_HUMAN_ID, human: {}, machine: {} }] },
    ],
    ['an unknown state', { result: [{ userId: EXAMPLE_HUMAN_ID, human: {}, state: 'SUSPENDED' }] }],
  ])('an off-contract 200 (%s) → bad_response, never coerced', async (_, body) => {
    sim.inject({ route: 'listUsers', times: 1, fault: { type: 'status', status: 200, body } });
    const [result] = await provider.getUsers([EXAMPLE_HUMAN_ID]);
    expect(upstream(result)).toMatchObject({ kind: 'bad_response', operation: 'POST /v2/users' });
  });

  it('totalResult as a number is accepted, as protojson readers do', async () => {
    sim.inject({
      route: 'listUsers',
      times: 1,
      fault: {
        type: 'status',
        status: 200,
        body: { details: { totalResult: 1 }, result: [{ userId: EXAMPLE_HUMAN_ID, human: {} }] },
      },
    });
    const [result] = await provider.getUsers([EXAMPLE_HUMAN_ID]);
    expect((result as ZitadelUser).localId).toBe(EXAMPLE_HUMAN_ID);
  });

  it('a reset connection → unavailable; a hang past the timeout → timeout', async () => {
    sim.inject({ route: 'listUsers', times: 1, fault: { type: 'reset' } });
    expect(upstream((await provider.getUsers([EXAMPLE_HUMAN_ID]))[0]).kind).toBe('unavailable');
    const impatient = newProvider({ timeoutMs: 150 });
    sim.inject({ route: 'listUsers', times: 1, fault: { type: 'hang' } });
    expect(upstream((await impatient.getUsers([EXAMPLE_HUMAN_ID]))[0]).kind).toBe('timeout');
  });

  it("the caller's deadline (signal) is honoured", async () => {
    sim.inject({ route: 'listUsers', times: 1, fault: { type: 'hang' } });
    const [result] = await provider.getUsers([EXAMPLE_HUMAN_ID], { signal: AbortSignal.timeout(100) });
    expect(upstream(result).kind).toBe('timeout');
  });
});

describe('getUsers with permission trimming', () => {
  it('a user the token may not read is silently missing from ListUsers (null) …', async () => {
    sim.restrictedUserIds.add(EXAMPLE_MACHINE_ID);
    try {
      const results = await provider.getUsers([EXAMPLE_HUMAN_ID, EXAMPLE_MACHINE_ID]);
      expect((results[0] as ZitadelUser).localId).toBe(EXAMPLE_HUMAN_ID);
      expect(results[1]).toBeNull();
    } finally {
      sim.restrictedUserIds.clear();
    }
  });

  it('… and recheckMissing asks GetUserByID: 403 for that key only, 404 stays null', async () => {
    const rechecking = newProvider({ recheckMissing: true });
    sim.restrictedUserIds.add(EXAMPLE_MACHINE_ID);
    try {
      const results = await rechecking.getUsers([EXAMPLE_HUMAN_ID, EXAMPLE_MACHINE_ID, UNKNOWN_ID]);
      expect((results[0] as ZitadelUser).localId).toBe(EXAMPLE_HUMAN_ID);
      expect(upstream(results[1])).toMatchObject({
        kind: 'forbidden',
        providerCode: 'PERMISSION_DENIED',
        operation: 'GET /v2/users/{userId}',
      });
      expect(results[2]).toBeNull();
      expect(sim.count('listUsers')).toBe(1);
      expect(sim.count('getUser')).toBe(2);
    } finally {
      sim.restrictedUserIds.clear();
    }
  });
});

describe('listUsers (paging by creation date)', () => {
  function byCreation(direction: 'ASC' | 'DESC'): string[] {
    const sorted = [...sim.records].sort(
      (a, b) =>
        a.createdAtMs - b.createdAtMs ||
        a.user.userId.length - b.user.userId.length ||
        (a.user.userId < b.user.userId ? -1 : 1),
    );
    const ids = sorted.map((record) => record.user.userId);
    return direction === 'ASC' ? ids : ids.reverse();
  }

  async function pageThrough(
    target: ZitadelProvider,
    direction: 'ASC' | 'DESC',
    limit: number,
  ): Promise<{ ids: string[]; pages: number; totals: Set<number | null> }> {
    const ids: string[] = [];
    const totals = new Set<number | null>();
    let cursor: ListPosition | null = null;
    let pages = 0;
    do {
      const page = await target.listUsers({ limit, cursor, direction });
      pages += 1;
      expect(page.users.length).toBeLessThanOrEqual(limit);
      ids.push(...page.users.map((user: User) => user.localId));
      totals.add(page.totalCount);
      cursor = page.nextCursor;
      expect(pages).toBeLessThan(100);
    } while (cursor !== null);
    return { ids, pages, totals };
  }

  it.each([
    'ASC',
    'DESC',
  ] as const)('limit 7, %s: the full list in creation order, no gaps or repeats', async (direction) => {
    const { ids, pages, totals } = await pageThrough(provider, direction, 7);
    expect(ids).toEqual(byCreation(direction));
    expect(pages).toBe(Math.ceil(sim.records.length / 7));
    expect(totals).toEqual(new Set([sim.records.length]));
    expect(sim.count('listUsers')).toBe(pages);
    expect(sim.log[1]?.body).toEqual({
      query: { offset: '7', limit: 7, asc: direction === 'ASC' },
      sortingColumn: 'USER_FIELD_NAME_CREATION_DATE',
    });
  });

  it('pages thinned by permission filtering still advance correctly and end', async () => {
    const order = byCreation('ASC');
    // Hidden users inside the list and the whole tail, so the last windows come back empty.
    const hidden = [order[3], order[8], order[9], order[10], ...order.slice(-9)].filter(
      (id): id is string => id !== undefined,
    );
    for (const id of hidden) sim.restrictedUserIds.add(id);
    try {
      const { ids, totals } = await pageThrough(provider, 'ASC', 7);
      expect(ids).toEqual(order.filter((id) => !hidden.includes(id)));
      // totalResult counts users before the permission filter, as the real server does.
      expect(totals).toEqual(new Set([sim.records.length]));
      for (const entry of sim.log) {
        expect((entry.body as { query: { limit: number } }).query.limit).toBeGreaterThan(0);
      }
    } finally {
      sim.restrictedUserIds.clear();
    }
  });

  it('a short page is topped up from the next window (at most a few rounds)', async () => {
    const order = byCreation('ASC');
    sim.restrictedUserIds.add(order[2] ?? '');
    try {
      const page = await provider.listUsers({ limit: 5 });
      expect(page.users.map((user) => user.localId)).toEqual([
        order[0],
        order[1],
        order[3],
        order[4],
        order[5],
      ]);
      expect(sim.count('listUsers')).toBe(2);
      expect(sim.log[1]?.body).toMatchObject({ query: { offset: '5', limit: 1, asc: true } });
      const next = await provider.listUsers({ limit: 1, cursor: page.nextCursor });
      expect(next.users[0]?.localId).toBe(order[6]);
    } finally {
      sim.restrictedUserIds.clear();
    }
  });

  it('a cursor only continues its own listing', async () => {
    const page = await provider.listUsers({ limit: 3, direction: 'ASC' });
    await expect(
      provider.listUsers({ limit: 3, direction: 'DESC', cursor: page.nextCursor }),
    ).rejects.toMatchObject({ name: 'InvalidPageRequest', argument: 'after' });
    await expect(
      provider.listUsers({ limit: 3, cursor: page.nextCursor, filter: { kind: 'HUMAN' } }),
    ).rejects.toMatchObject({ name: 'InvalidPageRequest', argument: 'after' });
    await expect(provider.listUsers({ limit: 3, cursor: foreignPosition('monocloud') })).rejects.toThrow(
      InvalidPageRequest,
    );
    await expect(provider.listUsers({ limit: 0 })).rejects.toMatchObject({ argument: 'first' });
  });

  it('an upstream failure rejects the page with the typed error', async () => {
    sim.inject({ route: 'listUsers', times: 1, fault: { type: 'status', status: 401 } });
    await expect(provider.listUsers({ limit: 3 })).rejects.toMatchObject({ kind: 'unauthorized' });
  });
});

describe('getIdentities and getPasskeys', () => {
  const withLinks = () => sim.records.find((record) => record.idpLinks.length === 2);
  const withPasskeys = () =>
    sim.records.find((record) => record.passkeys.length > 0 && record.user.userId !== EXAMPLE_HUMAN_ID);

  it('loads IdP links as identities, per user, in key order', async () => {
    const seeded = withLinks();
    if (!seeded) throw new Error('seed has no user with two links');
    const results = await provider.getIdentities([seeded.user.userId, EXAMPLE_HUMAN_ID, EXAMPLE_MACHINE_ID]);
    expect(results[0]).toEqual(
      seeded.idpLinks.map((link) => ({
        provider: link.idpId,
        providerUserId: link.userId,
        userName: link.userName,
        claims: null,
      })),
    );
    expect(results[1]).toEqual([
      {
        provider: ZITADEL_IDP_IDS.google,
        providerUserId: '108353867542098711245',
        userName: 'mini@mouse.com',
        claims: null,
      },
    ]);
    expect(results[2]).toEqual([]);
    expect(sim.count('listIdpLinks')).toBe(3);
    expect(sim.log[0]?.body).toEqual({ query: { offset: '0', limit: 100, asc: true } });
  });

  it('pages through links when totalResult says there are more', async () => {
    const seeded = withLinks();
    if (!seeded) throw new Error('seed has no user with two links');
    const paging = newProvider({ linkPageSize: 1 });
    const [identities] = await paging.getIdentities([seeded.user.userId]);
    expect((identities as unknown[]).length).toBe(2);
    expect(sim.log.map((entry) => (entry.body as { query: unknown }).query)).toEqual([
      { offset: '0', limit: 1, asc: true },
      { offset: '1', limit: 1, asc: true },
    ]);
  });

  it('an unknown user has no links (the server searches, it does not look up); a 404 would be null', async () => {
    expect(await provider.getIdentities([UNKNOWN_ID])).toEqual([[]]);
    sim.inject({ route: 'listIdpLinks', times: 1, fault: { type: 'status', status: 404 } });
    expect(await provider.getIdentities([UNKNOWN_ID])).toEqual([null]);
  });

  it('loads ready passkeys (id and name; ZITADEL exposes no WebAuthn details)', async () => {
    const seeded = withPasskeys();
    if (!seeded) throw new Error('seed has no user with passkeys');
    const results = await provider.getPasskeys([EXAMPLE_HUMAN_ID, seeded.user.userId, UNKNOWN_ID]);
    expect(results[0]).toEqual([
      {
        id: '69629188882183934',
        name: 'iCloud Keychain',
        aaguid: null,
        publicKey: null,
        userAgent: null,
        backupEligible: null,
        backedUp: null,
        userPresent: null,
        userVerified: null,
      },
    ]);
    expect((results[1] as readonly Passkey[]).map((passkey) => passkey.id)).toEqual(
      seeded.passkeys.map((passkey) => passkey.id),
    );
    expect(results[2]).toEqual([]);
    expect(sim.count('listPasskeys')).toBe(3);
    expect(sim.log[0]?.body).toEqual({});
  });

  it('a bad token fails every key with one 401 and stops calling', async () => {
    const bad = newProvider({ token: 'nope', concurrency: 1 });
    const ids = sim.records.slice(0, 6).map((record) => record.user.userId);
    for (const results of [await bad.getIdentities(ids), await bad.getPasskeys(ids)]) {
      const first = upstream(results[0]);
      expect(first.kind).toBe('unauthorized');
      expect(results.every((result: KeyedResult<unknown>) => result === first)).toBe(true);
    }
    expect(sim.count('listIdpLinks')).toBe(1);
    expect(sim.count('listPasskeys')).toBe(1);
  });

  it('a 500 for one user is an error for that key only', async () => {
    sim.inject({ route: 'listPasskeys', times: 1, fault: { type: 'status', status: 500 } });
    const single = newProvider({ concurrency: 1 });
    const results = await single.getPasskeys([EXAMPLE_HUMAN_ID, EXAMPLE_MACHINE_ID]);
    expect(upstream(results[0])).toMatchObject({ kind: 'unavailable', providerCode: 'INTERNAL' });
    expect(results[1]).toEqual([]);
  });
});
