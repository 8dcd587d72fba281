import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidPageRequest, UpstreamError } from '../../../src/directory/failures.js';
import { normalizeEmail } from '../../../src/directory/filter.js';
import type { User } from '../../../src/directory/model.js';
import { createZitadelProvider, type ZitadelProvider } from '../../../src/providers/zitadel/provider.js';
import { generatePeople } from '../../../src/simulators/people.js';
import { createZitadelSimulator, type ZitadelSimulator } from '../../../src/simulators/zitadel/simulator.js';
import { bareHttp } from '../../support/http.js';
import { DIRECTIONS, expected, filterCases, filterTime, ids, pageAll } from '../filter-harness.js';

let sim: ZitadelSimulator;
const opened: ZitadelProvider[] = [];
const all: Record<'ASC' | 'DESC', User[]> = { ASC: [], DESC: [] };

function provider(options: Partial<Parameters<typeof createZitadelProvider>[0]> = {}): ZitadelProvider {
  const created = createZitadelProvider({
    name: 'corp',
    http: bareHttp('zitadel', sim.url),
    token: sim.token,
    ...options,
  });
  opened.push(created);
  return created;
}

const listBodies = () =>
  sim.log
    .filter((entry) => entry.route === 'listUsers')
    .map((entry) => entry.body as Record<string, unknown>);

beforeAll(async () => {
  sim = createZitadelSimulator({ accounts: generatePeople({ perDirectory: 150 }).zitadel });
  await sim.listen(0);
  for (const direction of DIRECTIONS) {
    all[direction] = (await pageAll(provider(), { limit: 100, direction })).users;
  }
});

afterAll(async () => {
  await Promise.all(opened.map((created) => created.close()));
  await sim.close();
});

beforeEach(() => sim.reset());

describe('ZITADEL filtered listing', () => {
  it('has users of every kind the filters look at', () => {
    expect(all.ASC.length).toBeGreaterThan(150);
    expect(all.ASC.some((user) => user.kind === 'MACHINE')).toBe(true);
    expect(ids(all.DESC)).toEqual(ids(all.ASC).reverse());
  });

  for (const direction of DIRECTIONS) {
    for (const limit of [7, 40]) {
      it(`pages ${direction} by ${limit} to exactly the filtered list, for every filter`, async () => {
        const zitadel = provider({ scanPageSize: 25 });
        for (const filter of filterCases(all.ASC)) {
          const paged = await pageAll(zitadel, { limit, direction, filter, scanBudget: 3 });
          expect(ids(paged.users), JSON.stringify(filter)).toEqual(expected(all[direction], filter));
        }
      });
    }
  }

  it('pushes an email filter down: one request, emailQuery ignoring case, exact totalCount', async () => {
    const target = all.ASC.find((user) => user.emails.length > 0);
    const address = target?.emails[0]?.address ?? '';
    const page = await provider().listUsers({ limit: 10, filter: { email: ` ${address.toUpperCase()}` } });
    expect(sim.count('listUsers')).toBe(1);
    expect(ids(page.users)).toEqual(expected(all.ASC, { email: address }));
    expect(page.totalCount).toBe(page.users.length);
    expect(listBodies()[0]?.queries).toEqual([
      {
        emailQuery: { emailAddress: normalizeEmail(address), method: 'TEXT_QUERY_METHOD_EQUALS_IGNORE_CASE' },
      },
    ]);
  });

  it('pushes status and kind down as stateQuery (orQuery for several) and typeQuery', async () => {
    const filter = { status: ['ACTIVE', 'INITIAL'] as const, kind: 'HUMAN' as const };
    const page = await provider().listUsers({
      limit: 500,
      filter: { ...filter, status: [...filter.status] },
    });
    expect(sim.count('listUsers')).toBe(1);
    expect(page.totalCount).toBe(page.users.length);
    expect(listBodies()[0]?.queries).toEqual([
      {
        orQuery: {
          queries: [
            { stateQuery: { state: 'USER_STATE_ACTIVE' } },
            { stateQuery: { state: 'USER_STATE_INITIAL' } },
          ],
        },
      },
      { typeQuery: { type: 'TYPE_HUMAN' } },
    ]);
  });

  it('asks nothing for statuses ZITADEL does not have', async () => {
    const page = await provider().listUsers({ limit: 10, filter: { status: ['DISABLED', 'BLOCKED'] } });
    expect(page).toEqual({ users: [], nextCursor: null, totalCount: 0 });
    expect(sim.count()).toBe(0);
  });

  it('reports no totalCount when part of the filter is applied locally', async () => {
    const page = await provider().listUsers({ limit: 5, filter: { text: 'a' } });
    expect(page.totalCount).toBeNull();
  });

  it('stops at the scan budget, says so, and resumes after the last user scanned', async () => {
    const filter = { createdAfter: filterTime(all.ASC[120]?.createdAt) };
    const want = expected(all.ASC, filter);
    const zitadel = provider({ scanPageSize: 20 });
    const first = await zitadel.listUsers({ limit: 10, filter, scanBudget: 2 });
    expect(sim.count('listUsers')).toBe(2);
    expect(first.budgetExhausted).toBe(true);
    expect(first.users).toEqual([]);
    expect(first.nextCursor).not.toBeNull();
    const rest = await zitadel.listUsers({ limit: 1000, filter, cursor: first.nextCursor, scanBudget: 100 });
    expect(rest.budgetExhausted).toBeUndefined();
    expect(ids(rest.users)).toEqual(want);
  });

  it('ends an ascending scan at the first user created at or after createdBefore', async () => {
    const filter = { createdBefore: filterTime(all.ASC[30]?.createdAt) };
    const page = await provider({ scanPageSize: 10 }).listUsers({ limit: 1000, filter });
    expect(ids(page.users)).toEqual(expected(all.ASC, filter));
    expect(page.nextCursor).toBeNull();
    expect(sim.count('listUsers')).toBeLessThanOrEqual(4);
  });

  it('refuses a cursor issued for another filter or direction, and bad input, with InvalidPageRequest', async () => {
    const zitadel = provider();
    const page = await zitadel.listUsers({ limit: 2, filter: { text: 'a' } });
    const cursor = page.nextCursor;
    await expect(zitadel.listUsers({ limit: 2, cursor, filter: { text: 'b' } })).rejects.toThrow(
      InvalidPageRequest,
    );
    await expect(zitadel.listUsers({ limit: 2, cursor })).rejects.toThrow(InvalidPageRequest);
    await expect(
      zitadel.listUsers({ limit: 2, cursor, direction: 'DESC', filter: { text: 'a' } }),
    ).rejects.toThrow(InvalidPageRequest);
    await expect(zitadel.listUsers({ limit: 0 })).rejects.toThrow(InvalidPageRequest);
    await expect(zitadel.listUsers({ limit: 1, scanBudget: 0 })).rejects.toThrow(InvalidPageRequest);
    await expect(zitadel.listUsers({ limit: 1, filter: { createdAfter: 'yesterday' } })).rejects.toThrow(
      InvalidPageRequest,
    );
  });
});

describe('ZITADEL findUsersByEmail', () => {
  const holders = (email: string) =>
    ids(
      all.ASC.filter((user) => user.emails.some((e) => normalizeEmail(e.address) === normalizeEmail(email))),
    );

  it('answers 60 emails (case and whitespace variants, unknowns) with one ListUsers call', async () => {
    const known = [...new Set(all.ASC.flatMap((user) => user.emails.map((e) => e.address)))].slice(0, 57);
    expect(known.length).toBe(57);
    const emails = [
      ...known.map((email, index) => (index % 3 === 0 ? ` ${email.toUpperCase()}\t` : email)),
      'nobody@example.com',
      'ghost@nowhere.test',
      '   ',
    ];
    const results = await provider().findUsersByEmail(emails);
    expect(sim.count('listUsers')).toBe(1);
    expect(results).toHaveLength(60);
    emails.forEach((email, index) => {
      const result = results[index];
      if (!Array.isArray(result)) throw new Error(`no list for ${email}`);
      expect(ids(result)).toEqual(holders(email));
    });
    expect(results.slice(57)).toEqual([[], [], []]);
    expect(listBodies()[0]?.query).toMatchObject({ limit: 100 });
  });

  it('finds every account sharing one address, whatever its stored case', async () => {
    const shared = all.ASC.find((user) => user.emails.some((e) => e.address !== e.address.toLowerCase()));
    const address =
      shared?.emails[0]?.address ?? all.ASC.find((u) => u.emails.length)?.emails[0]?.address ?? '';
    const [result] = await provider().findUsersByEmail([address.toLowerCase()]);
    expect(ids(result as User[])).toEqual(holders(address));
    expect((result as User[]).length).toBeGreaterThan(0);
  });

  it('sends one call per chunk and gives every key the error of a bad token', async () => {
    const emails = all.ASC.flatMap((user) => user.emails.map((e) => e.address)).slice(0, 25);
    await provider({ chunkSize: 10 }).findUsersByEmail(emails);
    expect(sim.count('listUsers')).toBe(Math.ceil(new Set(emails.map(normalizeEmail)).size / 10));
    sim.reset();
    const results = await provider({ token: 'wrong' }).findUsersByEmail(emails);
    expect(results.every((result) => result instanceof UpstreamError && result.kind === 'unauthorized')).toBe(
      true,
    );
    expect(sim.count('listUsers')).toBeLessThanOrEqual(1 + 8);
  });
});
