import { z } from 'zod';

const seconds = (max: number) =>
  z.number().int('must be a whole number of seconds').min(0, 'must be at least 0').max(max);

/**
 * A directory's `cache:` (off when absent): users read by id are kept for `ttlSeconds`, then served for
 * up to `staleSeconds` more while one refresh runs in the background; a user the directory said does
 * not exist is remembered for `notFoundSeconds`.
 */
export const cacheSettings = z.strictObject({
  ttlSeconds: seconds(86_400)
    .min(1, 'must be at least 1')
    .describe('Users read by id are served from the cache this long.'),
  staleSeconds: seconds(86_400)
    .default(0)
    .describe('After the TTL, served this much longer while one background read refreshes them.'),
  notFoundSeconds: seconds(3_600)
    .default(5)
    .describe('A 404 (no such user) is remembered this long; errors never are.'),
  maxEntries: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(10_000_000)
    .default(10_000)
    .describe('Users kept in memory per directory (the oldest-used go first); ignored with `store: redis`.'),
  store: z
    .enum(['memory', 'redis'], 'must be memory or redis')
    .optional()
    .describe(
      "Where: this process's memory, or Redis (`redis:` must be configured): default Redis when it is.",
    ),
});

export type CacheSettings = z.output<typeof cacheSettings>;
