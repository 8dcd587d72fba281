import { expect, it } from 'vitest';
import { fanOut, mapConcurrently } from '../src/directory/batch.js';

// The one way a provider runs many calls at a bounded concurrency (src/directory/batch.ts).

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('runs at most `concurrency` at once, starts them in order, and answers in the units’ order', async () => {
  let running = 0;
  let peak = 0;
  const started: number[] = [];
  const results = await mapConcurrently([5, 1, 4, 2, 3, 1, 2], 3, async (ms) => {
    started.push(ms);
    running += 1;
    peak = Math.max(peak, running);
    await tick(ms);
    running -= 1;
    return ms * 10;
  });
  expect(peak).toBe(3);
  expect(started).toEqual([5, 1, 4, 2, 3, 1, 2]);
  expect(results).toEqual([50, 10, 40, 20, 30, 10, 20]);
  expect(await mapConcurrently([], 3, async () => 1)).toEqual([]);
});

it('rejects with the first failure, and the units already queued still run (as p-limit did)', async () => {
  const ran: number[] = [];
  const outcome = mapConcurrently([1, 2, 3, 4], 1, async (n) => {
    ran.push(n);
    if (n === 2) throw new Error('two');
    return n;
  });
  await expect(outcome).rejects.toThrow('two');
  await tick(5);
  expect(ran).toEqual([1, 2, 3, 4]);
});

it('stops sending once a unit fails for the whole directory, answering that error for every key', async () => {
  const sent: string[] = [];
  const denied = Object.assign(new Error('denied'), { wholeBatch: true });
  const results = await fanOut(
    ['a', 'b', 'c', 'd', 'a'],
    1,
    async (key) => {
      sent.push(key);
      if (key === 'b') throw denied;
      return key.toUpperCase();
    },
    (error) => (error as { wholeBatch?: boolean }).wholeBatch === true,
  );
  expect(sent).toEqual(['a', 'b']);
  expect(results).toEqual([denied, denied, denied, denied, denied]);
});
