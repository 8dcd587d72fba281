import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeUserId } from '../src/directory/global-id.js';
import { NodesByIdsDocument } from './generated/graphql.js';
import { Stack } from './support/stack.js';

// A directory's keep-alive pool is as large as its limiter lets calls be in flight (maxConcurrent,
// across GraphQL requests), not the per-batch `concurrency`: a smaller pool queued concurrent requests'
// batches behind each other inside undici (BENCHMARKS.md).

let stack: Stack;
beforeAll(async () => {
  stack = await Stack.start({
    perDirectory: 40,
    latencyMs: 40,
    configure: (configs) =>
      configs.map((config) => ({
        ...config,
        concurrency: config.provider === 'monocloud' ? 4 : 12,
        resilience: { maxConcurrent: 12 },
      })),
  });
});
afterAll(() => stack.close());

it('lets concurrent requests use every slot of maxConcurrent, each batch within its own concurrency', async () => {
  const ids = stack.ids.monocloud.slice(0, 12).map((id) => encodeUserId('acme', id));
  stack.sims.resetAll();
  const batches = [ids.slice(0, 4), ids.slice(4, 8), ids.slice(8, 12)];
  const answers = await Promise.all(
    batches.map((batch) => stack.execute(NodesByIdsDocument, { ids: batch })),
  );
  expect(answers.every((answer) => answer.body.errors === undefined)).toBe(true);
  expect(stack.sims.monocloud.count('getUser')).toBe(12);
  // Three requests of four ids each, four at a time per batch: twelve at once (a pool of `concurrency`
  // sockets held it to four).
  expect(stack.sims.monocloud.maxInFlight('getUser')).toBe(12);
});

it('lets one request have more than ten calls in flight without a listener-leak warning', async () => {
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(warning.name);
  process.on('warning', onWarning);
  try {
    const ids = stack.ids.appServices.slice(0, 12).map((id) => encodeUserId('mobile', id));
    const answer = await stack.execute(NodesByIdsDocument, { ids });
    expect(answer.body.errors).toBeUndefined();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', onWarning);
  }
  expect(warnings).not.toContain('MaxListenersExceededWarning');
});
