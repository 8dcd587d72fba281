import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generatePeople } from '../../../src/simulators/people.js';
import {
  EXAMPLE_HUMAN_ID,
  EXAMPLE_MACHINE_ID,
  ZITADEL_ORG_ID,
  zitadelId,
} from '../../../src/simulators/zitadel/data.js';
import {
  createZitadelSimulator,
  ZITADEL_DEMO_TOKEN,
  type ZitadelSimulator,
} from '../../../src/simulators/zitadel/simulator.js';

// The simulator's own contract: what a real ZITADEL v2 server would answer to raw requests.

let sim: ZitadelSimulator;
let origin: string;

interface ListResponse {
  details?: { totalResult?: string; processedSequence?: string; timestamp?: string };
  sortingColumn?: string;
  result?: { userId: string; state?: string; username?: string; human?: unknown; machine?: unknown }[];
}

async function post(
  path: string,
  body: unknown,
  token = sim.token,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${origin}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

async function list(body: unknown): Promise<ListResponse> {
  const { status, json } = await post('/v2/users', body);
  expect(status, JSON.stringify(json)).toBe(200);
  return json as ListResponse;
}

async function idsFor(queries: unknown[]): Promise<string[]> {
  const res = await list({ query: { limit: 0, asc: true }, queries });
  return (res.result ?? []).map((user) => user.userId);
}

const people = generatePeople({ perDirectory: 60 }).zitadel;

beforeAll(async () => {
  sim = createZitadelSimulator({ accounts: people });
  origin = await sim.listen(0);
});

afterAll(async () => {
  await sim.close();
});

beforeEach(() => {
  sim.reset();
});

describe('data', () => {
  it('holds the two examples and one user per seed account, with unique sonyflake-like ids', () => {
    expect(sim.records).toHaveLength(62);
    expect(sim.records[0]?.user.userId).toBe(EXAMPLE_HUMAN_ID);
    expect(sim.records[1]?.user.userId).toBe(EXAMPLE_MACHINE_ID);
    const ids = sim.records.map((record) => record.user.userId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^\d{17,19}$/);
    // The example id decodes to the example's creation time.
    expect(zitadelId(Date.parse('2024-04-05T09:28:23.210Z'), 1716750)).toBe(EXAMPLE_HUMAN_ID);
  });

  it('maps seed accounts faithfully (state, kind, login names, protojson omissions)', () => {
    people.forEach((account, index) => {
      const record = sim.records[index + 2];
      if (!record) throw new Error('missing record');
      const user = record.user;
      const state = {
        active: 'USER_STATE_ACTIVE',
        inactive: 'USER_STATE_INACTIVE',
        disabled: 'USER_STATE_INACTIVE',
        locked: 'USER_STATE_LOCKED',
        blocked: 'USER_STATE_LOCKED',
        initial: 'USER_STATE_INITIAL',
      }[account.status];
      expect(user.state).toBe(state);
      expect(user.loginNames).toEqual([`${account.username}@acme.zitadel.cloud`]);
      expect(user.details.resourceOwner).toBe(ZITADEL_ORG_ID);
      expect(Boolean(user.machine)).toBe(account.kind === 'machine');
      if (user.human) {
        expect(user.human.email.isVerified).toBe(account.emailVerified ? true : undefined);
        expect(user.human.phone).toEqual(
          account.phone === null
            ? {}
            : { phone: account.phone, ...(account.phoneVerified && { isVerified: true }) },
        );
      }
      expect(record.idpLinks).toHaveLength(account.identities.length);
      expect(record.passkeys.map((passkey) => passkey.name)).toEqual(
        account.passkeys.map((passkey) => passkey.name),
      );
    });
    expect(people.some((account) => account.kind === 'machine')).toBe(true);
  });
});

describe('auth and errors', () => {
  it('a missing or wrong bearer → 401 with the grpc-gateway body', async () => {
    const expected = {
      code: 16,
      message: 'Errors.Token.Invalid (AUTH-7fs1e)',
      details: [
        {
          '@type': 'type.googleapis.com/zitadel.v1.ErrorDetail',
          id: 'AUTH-7fs1e',
          message: 'Errors.Token.Invalid',
        },
      ],
    };
    const wrong = await post('/v2/users', {}, 'nope');
    expect(wrong).toEqual({ status: 401, json: expected });
    const missing = await fetch(`${origin}/v2/users/${EXAMPLE_HUMAN_ID}`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual(expected);
    expect(sim.token).toBe(ZITADEL_DEMO_TOKEN);
  });

  it('an unknown user → 404 NOT_FOUND', async () => {
    const res = await fetch(`${origin}/v2/users/123`, { headers: { authorization: `bearer ${sim.token}` } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 5, details: [{ id: 'QUERY-Dfbg2' }] });
  });

  it('bad requests → 400 INVALID_ARGUMENT', async () => {
    for (const body of [
      '{not json',
      { queries: [{ fooQuery: {} }] },
      { queries: [{ userNameQuery: { userName: 'a' }, typeQuery: { type: 'TYPE_HUMAN' } }] },
      { queries: [{ userNameQuery: { userName: 'a', method: 'TEXT_QUERY_METHOD_LIKE' } }] },
      { query: { offset: '-1' } },
      { sortingColumn: 'USER_FIELD_NAME_SHOE_SIZE' },
    ]) {
      const res = await post('/v2/users', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((res.json as { code: number }).code).toBe(3);
    }
  });

  it('nesting deeper than 20 → 400 USER-zsQ97', async () => {
    let query: unknown = { typeQuery: { type: 'TYPE_HUMAN' } };
    for (let depth = 0; depth < 21; depth += 1) query = { notQuery: { query } };
    const res = await post('/v2/users', { queries: [query] });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: 3, details: [{ id: 'USER-zsQ97' }] });
  });
});

describe('ListUsers', () => {
  it('without a limit returns everything, sorted by id descending by default', async () => {
    const res = await list({});
    const ids = (res.result ?? []).map((user) => user.userId);
    expect(ids).toHaveLength(62);
    const expected = sim.records
      .map((record) => record.user.userId)
      .sort((a, b) => (BigInt(a) < BigInt(b) ? 1 : -1));
    expect(ids).toEqual(expected);
    expect(res.details?.totalResult).toBe('62');
    expect(res.details?.processedSequence).toMatch(/^\d+$/);
    expect(res.sortingColumn).toBeUndefined();
  });

  it('offset (string or number) and limit window the sorted matches; totalResult counts all matches', async () => {
    const all = await list({ query: { asc: true }, sortingColumn: 'USER_FIELD_NAME_USER_NAME' });
    const names = (all.result ?? []).map((user) => user.username ?? '');
    expect(names).toEqual([...names].sort());
    const page = await list({
      query: { offset: '5', limit: 4, asc: true },
      sortingColumn: 'USER_FIELD_NAME_USER_NAME',
    });
    expect((page.result ?? []).map((user) => user.username)).toEqual(names.slice(5, 9));
    expect(page.details?.totalResult).toBe('62');
    expect(page.sortingColumn).toBe('USER_FIELD_NAME_USER_NAME');
    const numeric = await list({
      query: { offset: 5, limit: 4, asc: true },
      sortingColumn: 'USER_FIELD_NAME_USER_NAME',
    });
    expect(numeric.result).toEqual(page.result);
  });

  it('no match: totalResult and result are omitted (protojson defaults)', async () => {
    const res = await list({ query: { limit: 10 }, queries: [{ inUserIdsQuery: { userIds: ['1'] } }] });
    expect(res.result).toBeUndefined();
    expect(res.details?.totalResult).toBeUndefined();
    expect(res.details?.timestamp).toMatch(/Z$/);
  });

  it('accepts snake_case request keys', async () => {
    const res = await list({
      query: { limit: 10 },
      sorting_column: 'USER_FIELD_NAME_CREATION_DATE',
      queries: [{ in_user_ids_query: { user_ids: [EXAMPLE_MACHINE_ID, EXAMPLE_HUMAN_ID] } }],
    });
    expect((res.result ?? []).map((user) => user.userId)).toEqual([EXAMPLE_MACHINE_ID, EXAMPLE_HUMAN_ID]);
  });

  it('text queries honour every TextQueryMethod', async () => {
    const q = (method: string, userName: string) => idsFor([{ userNameQuery: { userName, method } }]);
    expect(await q('TEXT_QUERY_METHOD_EQUALS', 'minnie-mouse')).toEqual([EXAMPLE_HUMAN_ID]);
    expect(await q('TEXT_QUERY_METHOD_EQUALS', 'Minnie-Mouse')).toEqual([]);
    expect(await q('TEXT_QUERY_METHOD_EQUALS_IGNORE_CASE', 'Minnie-Mouse')).toEqual([EXAMPLE_HUMAN_ID]);
    expect(await q('TEXT_QUERY_METHOD_STARTS_WITH', 'minnie-')).toEqual([EXAMPLE_HUMAN_ID]);
    expect(await q('TEXT_QUERY_METHOD_STARTS_WITH_IGNORE_CASE', 'MINNIE-')).toEqual([EXAMPLE_HUMAN_ID]);
    expect(await q('TEXT_QUERY_METHOD_CONTAINS', 'nie-mo')).toEqual([EXAMPLE_HUMAN_ID]);
    expect(await q('TEXT_QUERY_METHOD_CONTAINS_IGNORE_CASE', 'NIE-MO')).toEqual([EXAMPLE_HUMAN_ID]);
    expect(await q('TEXT_QUERY_METHOD_ENDS_WITH', '-mouse')).toEqual([EXAMPLE_HUMAN_ID]);
    expect(await q('TEXT_QUERY_METHOD_ENDS_WITH_IGNORE_CASE', '-MOUSE')).toEqual([EXAMPLE_HUMAN_ID]);
    expect(await idsFor([{ userNameQuery: { userName: 'ci-deployer', method: 1 } }])).toEqual([
      EXAMPLE_MACHINE_ID,
    ]);
  });

  it('field queries match their own field', async () => {
    const one = async (query: unknown) => idsFor([query]);
    expect(await one({ firstNameQuery: { firstName: 'Minnie' } })).toEqual([EXAMPLE_HUMAN_ID]);
    expect(await one({ lastNameQuery: { lastName: 'Mouse' } })).toEqual([EXAMPLE_HUMAN_ID]);
    expect(await one({ nickNameQuery: { nickName: 'Mini' } })).toEqual([EXAMPLE_HUMAN_ID]);
    expect(await one({ displayNameQuery: { displayName: 'Minnie Mouse' } })).toEqual([EXAMPLE_HUMAN_ID]);
    expect(await one({ emailQuery: { emailAddress: 'mini@mouse.com' } })).toEqual([EXAMPLE_HUMAN_ID]);
    expect(await one({ phoneQuery: { number: '+41791234567' } })).toEqual([EXAMPLE_HUMAN_ID]);
    expect(await one({ loginNameQuery: { loginName: 'minnie-mouse@acme.example.com' } })).toEqual([
      EXAMPLE_HUMAN_ID,
    ]);
    expect(await one({ inUserEmailsQuery: { userEmails: ['mini@mouse.com', 'nobody@x.y'] } })).toEqual([
      EXAMPLE_HUMAN_ID,
    ]);
    const machines = sim.records.filter((record) => record.user.machine).map((record) => record.user.userId);
    expect(await one({ typeQuery: { type: 'TYPE_MACHINE' } })).toEqual([...machines].sort());
    const locked = sim.records.filter((record) => record.user.state === 'USER_STATE_LOCKED');
    expect(locked.length).toBeGreaterThan(0);
    expect((await one({ stateQuery: { state: 'USER_STATE_LOCKED' } })).length).toBe(locked.length);
    expect((await one({ organizationIdQuery: { organizationId: ZITADEL_ORG_ID } })).length).toBe(62);
    expect(await one({ organizationIdQuery: { organizationId: '1' } })).toEqual([]);
  });

  it('queries are ANDed; or/and/not combine', async () => {
    const human = { typeQuery: { type: 'TYPE_HUMAN' } };
    const minnie = { userNameQuery: { userName: 'minnie-mouse' } };
    const ci = { userNameQuery: { userName: 'ci-deployer' } };
    expect(await idsFor([human, ci])).toEqual([]);
    expect(await idsFor([{ orQuery: { queries: [minnie, ci] } }])).toEqual([
      EXAMPLE_HUMAN_ID,
      EXAMPLE_MACHINE_ID,
    ]);
    expect(await idsFor([{ andQuery: { queries: [human, minnie] } }])).toEqual([EXAMPLE_HUMAN_ID]);
    expect((await idsFor([{ notQuery: { query: minnie } }])).length).toBe(61);
  });

  it.each([
    'USER_FIELD_NAME_FIRST_NAME',
    'USER_FIELD_NAME_LAST_NAME',
    'USER_FIELD_NAME_NICK_NAME',
    'USER_FIELD_NAME_DISPLAY_NAME',
    'USER_FIELD_NAME_EMAIL',
    'USER_FIELD_NAME_STATE',
    'USER_FIELD_NAME_TYPE',
    'USER_FIELD_NAME_CREATION_DATE',
  ])('sorts by %s, descending as the exact reverse of ascending', async (sortingColumn) => {
    const asc = await list({ query: { asc: true }, sortingColumn });
    const desc = await list({ query: { asc: false }, sortingColumn });
    const ascIds = (asc.result ?? []).map((user) => user.userId);
    expect(ascIds).toHaveLength(62);
    expect((desc.result ?? []).map((user) => user.userId)).toEqual([...ascIds].reverse());
  });

  it('machines (no human columns) sort last by a name column; creation date sorts chronologically', async () => {
    const byFirstName = await list({ query: { asc: true }, sortingColumn: 'USER_FIELD_NAME_FIRST_NAME' });
    const kinds = (byFirstName.result ?? []).map((user) => (user.human ? 'h' : 'm')).join('');
    expect(kinds).toMatch(/^h+m+$/);
    const byCreation = await list({ query: { asc: true }, sortingColumn: 'USER_FIELD_NAME_CREATION_DATE' });
    const order = new Map(sim.records.map((record) => [record.user.userId, record.createdAtMs]));
    const times = (byCreation.result ?? []).map((user) => order.get(user.userId) ?? 0);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('restricted users are dropped after the window but still counted', async () => {
    const restricted = createZitadelSimulator({ accounts: people, restrictedUserIds: [EXAMPLE_MACHINE_ID] });
    const at = await restricted.listen(0);
    try {
      const res = await fetch(`${at}/v2/users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${restricted.token}` },
        body: JSON.stringify({
          query: { limit: 2 },
          queries: [{ inUserIdsQuery: { userIds: [EXAMPLE_HUMAN_ID, EXAMPLE_MACHINE_ID] } }],
        }),
      });
      const body = (await res.json()) as ListResponse;
      expect(body.details?.totalResult).toBe('2');
      expect(body.result?.map((user) => user.userId)).toEqual([EXAMPLE_HUMAN_ID]);
      const get = await fetch(`${at}/v2/users/${EXAMPLE_MACHINE_ID}`, {
        headers: { authorization: `Bearer ${restricted.token}` },
      });
      expect(get.status).toBe(403);
    } finally {
      await restricted.close();
    }
  });
});

describe('ListIDPLinks and ListPasskeys', () => {
  it('links page by offset/limit; limit 0 means all', async () => {
    const all = await post(`/v2/users/${EXAMPLE_HUMAN_ID}/links/_search`, {});
    expect(all.json).toMatchObject({
      details: { totalResult: '1' },
      result: [{ idpId: expect.any(String), userId: '108353867542098711245', userName: 'mini@mouse.com' }],
    });
    const beyond = await post(`/v2/users/${EXAMPLE_HUMAN_ID}/links/_search`, {
      query: { offset: '1', limit: 1 },
    });
    expect(beyond.json).toMatchObject({ details: { totalResult: '1' } });
    expect((beyond.json as { result?: unknown }).result).toBeUndefined();
  });

  it('an unknown user has no links and no passkeys (200, empty), as the real searches answer', async () => {
    for (const path of ['/v2/users/1/links/_search', '/v2/users/1/passkeys/_search']) {
      const res = await post(path, {});
      expect(res.status).toBe(200);
      expect((res.json as ListResponse).details?.totalResult).toBeUndefined();
      expect((res.json as { result?: unknown }).result).toBeUndefined();
    }
  });

  it('passkeys are listed READY with id and name', async () => {
    const res = await post(`/v2/users/${EXAMPLE_HUMAN_ID}/passkeys/_search`, {});
    expect(res.json).toMatchObject({
      details: { totalResult: '1' },
      result: [{ id: '69629188882183934', state: 'AUTH_FACTOR_STATE_READY', name: 'iCloud Keychain' }],
    });
  });
});
