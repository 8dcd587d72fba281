import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  InvalidPageRequest,
  ScanBudgetExhaustedError,
  UpstreamError,
} from '../../../src/directory/failures.js';
import { normalizeEmail } from '../../../src/directory/filter.js';
import type { User } from '../../../src/directory/model.js';
import type { DirectoryProvider } from '../../../src/directory/port.js';
import {
  type AppServicesSimulator,
  createAppServicesSimulator,
} from '../../../src/simulators/app-services/simulator.js';
import { generatePeople } from '../../../src/simulators/people.js';
import { foreignPosition } from '../../support/positions.js';
import { DIRECTIONS, expected, filterCases, filterTime, ids, pageAll } from '../filter-harness.js';
import { providerFactory } from './harness.js';

let sim: AppServicesSimulator;
let providers: ReturnType<typeof providerFactory>;
const all: Record<'ASC' | 'DESC', User[]> = { ASC: [], DESC: [] };

const listQueries = () =>
  sim.log.filter((entry) => entry.route === 'listUsers').map((entry) => new URLSearchParams(entry.query));

function findByEmail(provider: DirectoryProvider) {
  const find = provider.findUsersByEmail?.bind(provider);
  if (!find) throw new Error('findUsersByEmail missing');
  return find;
}

beforeAll(async () => {
  sim = createAppServicesSimulator({ accounts: generatePeople({ perDirectory: 230 }).appServices });
  await sim.listen(0);
  providers = providerFactory(sim);
  for (const direction of DIRECTIONS)
    all[direction] = (await pageAll(providers.make(), { limit: 100, direction })).users;
});
afterAll(async () => {
  await providers.closeAll();
  await sim.close();
});
beforeEach(() => sim.reset());

describe('App Services filtered listing', () => {
  it('lists every user in both directions', () => {
    expect(all.ASC.length).toBeGreaterThan(200);
    expect(ids(all.DESC)).toEqual(ids(all.ASC).reverse());
  });

  for (const direction of DIRECTIONS) {
    for (const limit of [8, 45]) {
      it(`pages ${direction} by ${limit} to exactly the filtered list, for every filter`, async () => {
        const provider = providers.make();
        for (const filter of filterCases(all.ASC)) {
          const paged = await pageAll(provider, { limit, direction, filter, scanBudget: 2 });
          expect(ids(paged.users), JSON.stringify(filter)).toEqual(expected(all[direction], filter));
        }
      });
    }
  }

  it('pushes ACTIVE or DISABLED down as status=, and asks nothing for statuses it does not have', async () => {
    const provider = providers.make();
    await provider.listUsers({ limit: 5, filter: { status: ['DISABLED'] } });
    await provider.listUsers({ limit: 5, filter: { status: ['ACTIVE', 'LOCKED'] } });
    await provider.listUsers({ limit: 5, filter: { status: ['ACTIVE', 'DISABLED'] } });
    expect(listQueries().map((query) => query.get('status'))).toEqual(['disabled', 'enabled', null]);
    sim.reset();
    const none = await provider.listUsers({ limit: 5, filter: { status: ['LOCKED', 'BLOCKED'] } });
    expect(none).toEqual({ users: [], nextCursor: null, totalCount: null });
    expect(sim.count('listUsers')).toBe(0);
  });

  it('seeks by ObjectId time for createdAfter (ascending) instead of reading from the start', async () => {
    const filter = { createdAfter: filterTime(all.ASC[all.ASC.length - 10]?.createdAt) };
    const page = await providers.make().listUsers({ limit: 100, filter });
    expect(ids(page.users)).toEqual(expected(all.ASC, filter));
    expect(sim.count('listUsers')).toBe(1);
    expect(listQueries()[0]?.get('after')).toMatch(/^[0-9a-f]{8}f{16}$/);
  });

  it('stops at the scan budget, says so, and resumes after the last user scanned', async () => {
    const filter = { text: 'zzzz-absent', createdBefore: '2100-01-01T00:00:00Z' };
    const provider = providers.make();
    const first = await provider.listUsers({ limit: 10, filter, scanBudget: 2 });
    expect(sim.count('listUsers')).toBe(2);
    expect(first).toMatchObject({ users: [], budgetExhausted: true });
    expect(first.nextCursor).not.toBeNull();
    const target = all.ASC[150] as User;
    const needle = { status: [target.status ?? 'ACTIVE'], createdAfter: filterTime(target.createdAt) };
    const resumed = await pageAll(provider, { limit: 3, filter: needle, scanBudget: 1 });
    expect(ids(resumed.users)).toEqual(expected(all.ASC, needle));
  });

  it('refuses bad input with InvalidPageRequest', async () => {
    const provider = providers.make();
    await expect(provider.listUsers({ limit: 0 })).rejects.toThrow(InvalidPageRequest);
    await expect(provider.listUsers({ limit: 1, cursor: foreignPosition('monocloud') })).rejects.toThrow(
      InvalidPageRequest,
    );
    await expect(provider.listUsers({ limit: 1, filter: { createdBefore: '2024-13-45' } })).rejects.toThrow(
      InvalidPageRequest,
    );
  });
});

describe('App Services findUsersByEmail', () => {
  const scanRequests = () => Math.floor(all.ASC.length / 50) + 1;
  const holders = (email: string) =>
    ids(
      all.ASC.filter((user) => user.emails.some((e) => normalizeEmail(e.address) === normalizeEmail(email))),
    );

  it('scans the list once per batch, whatever the number of emails', async () => {
    const known = [...new Set(all.ASC.flatMap((user) => user.emails.map((e) => e.address)))];
    for (const emails of [[known[0] ?? ''], [...known.slice(0, 40), 'nobody@example.com']]) {
      sim.reset();
      const variants = emails.map((email, index) => (index % 2 ? ` ${email.toUpperCase()} ` : email));
      const results = await findByEmail(providers.make())(variants);
      expect(sim.count('listUsers')).toBe(scanRequests());
      variants.forEach((email, index) => {
        expect(ids(results[index] as User[]), email).toEqual(holders(email));
      });
    }
  });

  it('unknown emails are empty lists; blank ones cost nothing', async () => {
    const find = findByEmail(providers.make());
    expect(await find(['ghost@nowhere.test'])).toEqual([[]]);
    sim.reset();
    expect(await find(['  '])).toEqual([[]]);
    expect(sim.count()).toBe(0);
  });

  it('fails every key when the scan budget runs out, never "not found"', async () => {
    const results = await findByEmail(providers.make({ emailScanBudget: 2 }))([
      'a@example.com',
      'b@example.com',
    ]);
    expect(sim.count('listUsers')).toBe(2);
    expect(results.every((result) => result instanceof ScanBudgetExhaustedError)).toBe(true);
  });

  it('fails every key with the upstream error', async () => {
    const results = await findByEmail(providers.make({ accessToken: 'not-a-token' }))([
      'a@example.com',
      'b@x.y',
    ]);
    expect(results.every((result) => result instanceof UpstreamError && result.kind === 'unauthorized')).toBe(
      true,
    );
  });
});
