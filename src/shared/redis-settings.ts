import { z } from 'zod';

/**
 * `redis:` in the config: where replicas keep what they must share (outbound quotas, hold-offs, the
 * user cache when it is asked to live there). Absent: each process keeps all of it in memory.
 */
export const redisSettings = z
  .strictObject({
    url: z
      .string()
      .regex(/^rediss?:\/\/[^\s]+$/, 'must be a redis:// or rediss:// URL such as redis://redis:6379/0')
      .optional()
      .describe('`redis://[user:password@]host:port[/db]` or `rediss://…` (TLS).'),
    path: z.string().min(1, 'must not be empty').optional().describe('A unix socket instead of a URL.'),
    keyPrefix: z
      .string()
      .regex(/^[A-Za-z0-9:_.-]{1,64}$/, 'must be 1–64 of letters, digits, ":", "_", "." or "-"')
      .default('usergraph:')
      .describe('Prefixes every key and channel, so several deployments can share one Redis.'),
    expectedReplicas: z
      .number()
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(1000)
      .default(1)
      .describe(
        "How many replicas share each directory's quota. While Redis is unreachable each replica sends at most `rateLimit / expectedReplicas`, so together they stay within the quota.",
      ),
    commandTimeoutMs: z
      .number()
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(10_000)
      .default(200)
      .describe('Bound of one Redis command; past it the call counts as Redis being unreachable.'),
  })
  .superRefine((value, ctx) => {
    if ((value.url === undefined) === (value.path === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give either url or path (a unix socket)' });
    }
  });

export type RedisSettings = z.output<typeof redisSettings>;
