import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CursorCodec, type Positions } from '../src/directory/cursor.js';
import { filterFingerprint, matchesFilter, type UserFilter } from '../src/directory/filter.js';
import { compareUsers, type MergePage, mergePage } from '../src/directory/merge.js';
import type { User, UserStatus } from '../src/directory/model.js';
import type { DirectoryProvider, SortDirection } from '../src/directory/port.js';
import { type FakeDirectoryOptions, fakeDirectory, fakeUser } from './support/fake-directory.js';

const codec = new CursorCodec(Buffer.from('merge-property-test-key'));
const STATUSES: UserStatus[] = ['ACTIVE', 'DISABLED', 'BLOCKED', 'INACTIVE'];
const T0 = 1_700_000_000;

// Few distinct seconds, so equal timestamps are common and pages split them.
const seedArb = fc.record({
  createdAt: fc.option(
    fc.integer({ min: 0, max: 6 }).map((s) => T0 + s),
    { freq: 8 },
  ),
  status: fc.constantFrom(...STATUSES),
  machine: fc.boolean(),
});

const directoryArb = fc.record({
  seeds: fc.array(seedArb, { maxLength: 25 }),
  pageSize: fc.integer({ min: 1, max: 7 }),
  reportsTotal: fc.boolean(),
  // Varying per call, so a re-fetch can come back shorter than the users it must skip.
  defaultScanBudget: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }),
});

const filterArb: fc.Arbitrary<UserFilter> = fc.record(
  {
    status: fc.subarray(STATUSES, { minLength: 1 }),
    kind: fc.constantFrom('HUMAN' as const, 'MACHINE' as const),
    createdAfter: fc.integer({ min: 0, max: 6 }).map((s) => new Date((T0 + s) * 1000).toISOString()),
  },
  { requiredKeys: [] },
);

const scenarioArb = fc.record({
  directories: fc.array(directoryArb, { minLength: 1, maxLength: 4 }),
  first: fc.integer({ min: 1, max: 12 }),
  direction: fc.constantFrom<SortDirection>('ASC', 'DESC'),
  filter: fc.option(filterArb, { nil: undefined }),
  // Where each page is resumed from: an edge in the middle (resumable edge cursors) or the end cursor.
  resumeAt: fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(1)), {
    minLength: 1,
    maxLength: 8,
  }),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer S> ? S : never;

function build(scenario: Scenario, failOn?: FakeDirectoryOptions['failOn']) {
  return scenario.directories.map((directory, d) => {
    const name = `d${d}`;
    const users = directory.seeds.map((seed, i) => fakeUser(name, { ...seed, localId: `${name}-u${i}` }));
    return { provider: fakeDirectory(name, users, { ...directory, failOn }), users };
  });
}

function expected(scenario: Scenario, users: readonly User[]): string[] {
  const sign = scenario.direction === 'ASC' ? 1 : -1;
  return users
    .filter((user) => matchesFilter(user, scenario.filter ?? {}))
    .sort((a, b) => sign * compareUsers(a, b))
    .map(key);
}

function key(user: User): string {
  return `${user.directory}/${user.localId}`;
}

/** Pages through to the end, each time resuming from a chosen edge's cursor (round-tripped as text). */
async function pageThrough(
  providers: readonly DirectoryProvider[],
  scenario: Scenario,
  onPage?: (page: MergePage) => void,
): Promise<string[]> {
  const seen: string[] = [];
  let positions: Positions | undefined;
  for (let round = 0; ; round += 1) {
    if (round > 2000) throw new Error('paging does not terminate');
    const page = await mergePage(providers, {
      first: scenario.first,
      direction: scenario.direction,
      filter: scenario.filter,
      positions,
    });
    onPage?.(page);
    const fraction = scenario.resumeAt[round % scenario.resumeAt.length] ?? 1;
    const keep = page.edges.length === 0 ? 0 : Math.max(1, Math.ceil(fraction * page.edges.length));
    const kept = page.edges.slice(0, keep);
    seen.push(...kept.map((edge) => key(edge.user)));
    const resume = keep === page.edges.length ? page.positions : (kept.at(-1)?.positions ?? page.positions);
    const more = keep < page.edges.length || page.hasNextPage;
    if (!more) return seen;
    const text = codec.encode({ direction: scenario.direction, key: 'k', positions: resume });
    positions = codec.decode(text)?.positions;
    expect(positions).toEqual(resume);
  }
}

describe('mergePage (property-based)', () => {
  it('concatenated pages of the merged list equal the full sorted, filtered list', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        const directories = build(scenario);
        let totals: (number | null)[] = [];
        const seen = await pageThrough(
          directories.map((d) => d.provider),
          scenario,
          (page) => totals.push(page.totalCount),
        );
        expect(seen).toEqual(
          expected(
            scenario,
            directories.flatMap((d) => d.users),
          ),
        );
        const everyReports = scenario.directories.every((d) => d.reportsTotal);
        totals = [...new Set(totals)];
        expect(totals).toEqual([
          everyReports
            ? expected(
                scenario,
                directories.flatMap((d) => d.users),
              ).length
            : null,
        ]);
      }),
      { numRuns: 300 },
    );
  });

  it('concatenated pages of one directory equal its full sorted, filtered list', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        const [only] = build(scenario);
        if (!only) throw new Error('no directory');
        const seen = await pageThrough([only.provider], scenario);
        expect(seen).toEqual(expected(scenario, only.users));
      }),
      { numRuns: 300 },
    );
  });

  it('a directory that fails now and then is retried from where it stood: still every user exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, fc.integer({ min: 1, max: 1000 }), async (scenario, salt) => {
        const directories = build(scenario, (call) => (call * 7 + salt) % 3 === 0);
        const failed = new Set<string>();
        const seen = await pageThrough(
          directories.map((d) => d.provider),
          scenario,
          (page) => {
            for (const failure of page.failures) failed.add(failure.directory);
          },
        );
        expect([...seen].sort()).toEqual(
          expected(
            scenario,
            directories.flatMap((d) => d.users),
          ).sort(),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('a directory whose page is cut short by the scan budget says so and holds back the others', async () => {
    const slow = fakeDirectory(
      'a',
      [0, 1, 2, 3].map((i) =>
        fakeUser('a', { localId: `a${i}`, createdAt: T0 + i * 10, status: 'DISABLED', machine: false }),
      ),
      { pageSize: 1, reportsTotal: false },
    );
    const fast = fakeDirectory(
      'b',
      [0, 1, 2, 3].map((i) =>
        fakeUser('b', { localId: `b${i}`, createdAt: T0 + i, status: 'ACTIVE', machine: false }),
      ),
      { pageSize: 10, reportsTotal: false },
    );
    const page = await mergePage([slow, fast], {
      first: 4,
      direction: 'ASC',
      filter: { status: ['ACTIVE'] },
      scanBudget: 2,
    });
    expect(page.budgetExhausted).toBe(true);
    // `a` scanned two users without a match; its next user might still sort first, so nothing is handed out.
    expect(page.edges).toEqual([]);
    expect(page.positions.a).toEqual({
      position: {
        provider: 'app-services',
        direction: 'ASC',
        filter: filterFingerprint({ status: ['ACTIVE'] }),
        at: 2,
      },
      skip: 0,
    });
    expect(page.hasNextPage).toBe(true);
  });
});
