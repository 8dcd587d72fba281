import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Stack } from '../support/stack.js';
import { idsOf, nodes, startStack } from './support.js';

let stack: Stack;
beforeAll(async () => {
  // Access tokens live 1 s, so a 2.5 s load crosses several expiries (renewed at 5/6 of the lifetime).
  stack = await startStack({}, { tokenLifetimeMs: 1_000 });
});
afterAll(() => stack.close());

it('keeps answering App Services users correctly while access tokens expire in the middle of a load', async () => {
  const ids = idsOf(stack, 'mobile', 8);
  const expected = (await nodes(stack, ids)).body.data;
  const sim = stack.sims.appServices;
  let answers = 0;
  let wrong = 0;
  const until = Date.now() + 2_500;
  // Besides the natural expiries, the server invalidates every token once, so calls already queued
  // or in flight meet InvalidSession and must refresh and replay.
  const invalidation = setTimeout(() => sim.expireAccessTokens(), 1_000);
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (Date.now() < until) {
        const { body } = await nodes(stack, ids);
        answers += 1;
        if (body.errors !== undefined || JSON.stringify(body.data) !== JSON.stringify(expected)) wrong += 1;
      }
    }),
  );
  clearTimeout(invalidation);
  expect(answers).toBeGreaterThan(10);
  expect(wrong).toBe(0);
  expect(sim.logins).toBe(1);
  expect(sim.refreshes).toBeGreaterThanOrEqual(2);
  // Single-flight renewal: nowhere near one refresh per call.
  expect(sim.refreshes).toBeLessThan(answers / 2);
});
