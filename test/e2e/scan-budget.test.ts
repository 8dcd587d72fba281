import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { DirectoryUsersDocument, MergedUsersDocument, UsersByEmailDocument } from '../generated/graphql.js';
import { Stack } from '../support/stack.js';

// App Services can filter nothing natively, so a text search there is a local scan of 50-user pages;
// its configured budget of 2 pages bounds each GraphQL page and the answer says when it ran out.

let stack: Stack;
beforeAll(async () => {
  stack = await Stack.start({
    perDirectory: 220,
    configure: (configs) =>
      configs.map((config) =>
        config.provider === 'app-services' ? { ...config, scanBudget: 2, emailScanBudget: 3 } : config,
      ),
  });
});
afterAll(() => stack.close());
beforeEach(() => stack.sims.resetAll());

it('stops at the configured scan budget, says so in pageInfo and extensions, and resumes to the end', async () => {
  const filter = { text: 'no-such-person-anywhere' };
  const first = await stack.execute(DirectoryUsersDocument, { directory: 'mobile', first: 10, filter });
  expect(first.body.errors).toBeUndefined();
  const page = first.body.data?.directory?.users;
  expect(page?.edges).toEqual([]);
  expect(page?.pageInfo).toMatchObject({ scanBudgetExhausted: true, hasNextPage: true });
  expect(page?.pageInfo.endCursor).toEqual(expect.any(String));
  expect(stack.sims.appServices.count('listUsers')).toBe(2);
  expect(first.body.extensions?.warnings).toEqual([
    expect.objectContaining({
      code: 'SCAN_BUDGET_EXHAUSTED',
      directories: ['mobile'],
      path: ['directory', 'users'],
    }),
  ]);

  // Following endCursor scans the rest, two upstream pages per GraphQL page, then ends.
  let after = page?.pageInfo.endCursor ?? null;
  let pages = 1;
  while (after !== null) {
    const next = await stack.execute(DirectoryUsersDocument, {
      directory: 'mobile',
      first: 10,
      filter,
      after,
    });
    const users = next.body.data?.directory?.users;
    expect(users?.edges).toEqual([]);
    pages += 1;
    after = users?.pageInfo.hasNextPage ? (users.pageInfo.endCursor ?? null) : null;
    expect(pages).toBeLessThan(20);
  }
  const upstreamPages = Math.ceil((stack.sims.appServices.records.length + 1) / 50);
  expect(stack.sims.appServices.count('listUsers')).toBeLessThanOrEqual(upstreamPages + 1);
  expect(pages).toBe(Math.ceil(stack.sims.appServices.count('listUsers') / 2));
});

it('names only the directories that ran out in the merged list', async () => {
  const { body } = await stack.execute(MergedUsersDocument, {
    first: 5,
    filter: { text: 'no-such-person-anywhere' },
  });
  expect(body.errors).toBeUndefined();
  expect(body.data?.users?.pageInfo.scanBudgetExhausted).toBe(true);
  const warnings = body.extensions?.warnings as { directories: string[] }[];
  expect(warnings.flatMap((warning) => warning.directories)).toContain('mobile');
  expect(warnings.flatMap((warning) => warning.directories)).not.toContain('corp');
});

it('an email lookup that runs out of scan budget says SCAN_BUDGET_EXHAUSTED, as the lists do', async () => {
  const { body } = await stack.execute(UsersByEmailDocument, { emails: ['nobody@example.com'] });
  expect(stack.sims.appServices.count('listUsers')).toBe(3);
  expect(body.errors).toEqual([
    expect.objectContaining({
      path: ['usersByEmail', 0, 'accounts'],
      extensions: {
        code: 'SCAN_BUDGET_EXHAUSTED',
        directory: 'mobile',
        pagesScanned: 3,
        requestId: expect.any(String),
      },
    }),
  ]);
  // The other directories still answered.
  expect(body.data?.usersByEmail?.[0]?.accounts).toEqual([]);
});
