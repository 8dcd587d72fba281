import { z } from 'zod';

const seconds = (max: number) =>
  z.number().int('must be a whole number of seconds').min(0, 'must be at least 0').max(max);

/**
 * A directory's `cache:` (off when absent): users read by id are kept for `ttlSeconds`, then served for
 * up to `staleSeconds` more while one refresh runs in the background; a user the directory said does
 * not exist is remembered for `notFoundSeconds`.
 */
export const cacheSettings = z.strictObject({
  ttlSeconds: seconds(86_400).min(1, 'must be at least 1'),
  staleSeconds: seconds(86_400).default(0),
  notFoundSeconds: seconds(3_600).default(5),
  /** Users kept in memory per directory (the oldest-used go first); ignored with `store: redis`. */
  maxEntries: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(10_000_000)
    .default(10_000),
  /** Where: this process's memory, or Redis (`redis:` must be configured): default Redis when it is. */
  store: z.enum(['memory', 'redis'], 'must be memory or redis').optional(),
});

export type CacheSettings = z.output<typeof cacheSettings>;
