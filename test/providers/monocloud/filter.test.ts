import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidPageRequest,
  ScanBudgetExhaustedError,
  UpstreamError,
} from '../../../src/directory/failures.js';
import { normalizeEmail } from '../../../src/directory/filter.js';
import type { User } from '../../../src/directory/model.js';
import {
  createMonoCloudProvider,
  type MonoCloudProvider,
} from '../../../src/providers/monocloud/provider.js';
import { MonoCloudSimulator } from '../../../src/simulators/monocloud/simulator.js';
import { generatePeople } from '../../../src/simulators/people.js';
import { bareHttp } from '../../support/http.js';
import { foreignPosition } from '../../support/positions.js';
import { DIRECTIONS, expected, filterCases, filterTime, ids, pageAll } from '../filter-harness.js';

const sim = new MonoCloudSimulator({ accounts: generatePeople({ perDirectory: 260 }).monocloud });
const providers: MonoCloudProvider[] = [];
const all: Record<'ASC' | 'DESC', User[]> = { ASC: [], DESC: [] };

function provider(apiKey = sim.apiKey): MonoCloudProvider {
  const created = createMonoCloudProvider({ name: 'acme', http: bareHttp('monocloud', sim.url), apiKey });
  providers.push(created);
  return created;
}

const listQueries = () =>
  sim.log.filter((entry) => entry.route === 'listUsers').map((entry) => new URLSearchParams(entry.query));

beforeAll(async () => {
  await sim.listen(0);
  for (const direction of DIRECTIONS)
    all[direction] = (await pageAll(provider(), { limit: 100, direction })).users;
});
afterEach(() => sim.reset());
afterAll(async () => {
  await Promise.all(providers.map((created) => created.close()));
  await sim.close();
});

describe('MonoCloud filtered listing', () => {
  it('lists every user in both directions', () => {
    expect(all.ASC.length).toBeGreaterThan(250);
    expect(ids(all.DESC)).toEqual(ids(all.ASC).reverse());
  });

  for (const direction of DIRECTIONS) {
    for (const limit of [9, 60]) {
      it(`pages ${direction} by ${limit} to exactly the filtered list, for every filter`, async () => {
        const monocloud = provider();
        for (const filter of filterCases(all.ASC)) {
          const paged = await pageAll(monocloud, { limit, direction, filter, scanBudget: 2 });
          expect(ids(paged.users), JSON.stringify(filter)).toEqual(expected(all[direction], filter));
        }
      });
    }
  }

  it('sends an email filter as filter=<email>: one request, exact matches only, no total', async () => {
    const address = all.ASC.find((user) => user.emails.length > 0)?.emails[0]?.address ?? '';
    const page = await provider().listUsers({ limit: 10, filter: { email: ` ${address.toUpperCase()} ` } });
    expect(sim.count('listUsers')).toBe(1);
    expect(listQueries()[0]?.get('filter')).toBe(normalizeEmail(address));
    expect(ids(page.users)).toEqual(expected(all.ASC, { email: address }));
    expect(page.totalCount).toBeNull();
  });

  it('sends a one-word text as filter=, and a text with spaces not at all', async () => {
    await provider().listUsers({ limit: 5, filter: { text: 'an' } });
    expect(listQueries()[0]?.get('filter')).toBe('an');
    sim.reset();
    await provider().listUsers({ limit: 5, filter: { text: 'an b' } });
    expect(listQueries()[0]?.has('filter')).toBe(false);
  });

  it('keeps the total only without a filter', async () => {
    expect((await provider().listUsers({ limit: 3 })).totalCount).toBe(all.ASC.length);
  });

  it('stops at the scan budget, says so, and resumes after the last user scanned', async () => {
    const filter = { createdAfter: filterTime(all.ASC[230]?.createdAt) };
    const monocloud = provider();
    const first = await monocloud.listUsers({ limit: 10, filter, scanBudget: 1 });
    expect(sim.count('listUsers')).toBe(1);
    expect(first.budgetExhausted).toBe(true);
    expect(first.users).toEqual([]);
    const rest = await pageAll(monocloud, { limit: 10, filter, scanBudget: 1 });
    expect(rest.exhausted).toBeGreaterThan(0);
    expect(ids(rest.users)).toEqual(expected(all.ASC, filter));
    const resumed = await monocloud.listUsers({
      limit: 1000,
      filter,
      cursor: first.nextCursor,
      scanBudget: 10,
    });
    expect(ids(resumed.users)).toEqual(expected(all.ASC, filter));
  });

  it('ends an ascending scan at createdBefore instead of reading the rest', async () => {
    const filter = { createdBefore: filterTime(all.ASC[20]?.createdAt) };
    const page = await provider().listUsers({ limit: 1000, filter });
    expect(ids(page.users)).toEqual(expected(all.ASC, filter));
    expect(page.nextCursor).toBeNull();
    expect(sim.count('listUsers')).toBe(1);
  });

  it('refuses a cursor of another filter, and bad input, with InvalidPageRequest', async () => {
    const monocloud = provider();
    const { nextCursor } = await monocloud.listUsers({ limit: 2, filter: { text: 'a' } });
    await expect(monocloud.listUsers({ limit: 2, cursor: nextCursor })).rejects.toThrow(InvalidPageRequest);
    await expect(
      monocloud.listUsers({ limit: 2, cursor: nextCursor, filter: { text: 'b' } }),
    ).rejects.toThrow(InvalidPageRequest);
    await expect(monocloud.listUsers({ limit: 0 })).rejects.toThrow(InvalidPageRequest);
    await expect(monocloud.listUsers({ limit: 1, cursor: foreignPosition('app-services') })).rejects.toThrow(
      InvalidPageRequest,
    );
  });
});

describe('MonoCloud findUsersByEmail', () => {
  const holders = (email: string) =>
    ids(
      all.ASC.filter((user) => user.emails.some((e) => normalizeEmail(e.address) === normalizeEmail(email))),
    );

  it('sends one search per distinct email and keeps exact matches only', async () => {
    const known = [
      ...new Set(all.ASC.flatMap((user) => user.emails.map((e) => normalizeEmail(e.address)))),
    ].slice(0, 20);
    const emails = [
      ...known,
      ...known.slice(0, 5).map((email) => `  ${email.toUpperCase()}`),
      'nobody@example.com',
    ];
    const results = await provider().findUsersByEmail(emails);
    expect(sim.count('listUsers')).toBe(21);
    expect(results).toHaveLength(26);
    emails.forEach((email, index) => {
      expect(ids(results[index] as User[]), email).toEqual(holders(email));
    });
    expect(results[25]).toEqual([]);
    expect(results.slice(0, 20).every((result) => Array.isArray(result) && result.length > 0)).toBe(true);
  });

  it('finds nothing for a prefix of an address (the free-text search matches it, the exact check does not)', async () => {
    const address = all.ASC.find((user) => user.emails.length > 0)?.emails[0]?.address ?? '';
    const [result] = await provider().findUsersByEmail([address.slice(0, -2)]);
    expect(result).toEqual([]);
  });

  it('gives every key the error of a bad key and stops sending', async () => {
    const emails = all.ASC.flatMap((user) => user.emails.map((e) => e.address)).slice(0, 30);
    const results = await provider('wrong-key').findUsersByEmail(emails);
    expect(results.every((result) => result instanceof UpstreamError && result.kind === 'unauthorized')).toBe(
      true,
    );
    expect(sim.count('listUsers')).toBeLessThanOrEqual(8);
  });

  it('exports the budget error class for lookups that cannot finish', () => {
    expect(new ScanBudgetExhaustedError('acme', 10).message).toContain('10 pages');
  });
});
