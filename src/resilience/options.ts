import { z } from 'zod';
import type { ProviderKind } from '../directory/model.js';

// Per-directory resilience settings (`resilience:` in a directory's config). Every key is optional;
// `resolveResilience` fills in the documented defaults, some of which depend on the provider.

const whole = (min: number, max: number) =>
  z.number().int('must be a whole number').min(min, `must be at least ${min}`).max(max);
const ratio = z.number().min(0, 'must be from 0 to 1').max(1, 'must be from 0 to 1');

export const resilienceConfig = z.strictObject({
  retry: z
    .strictObject({
      /** Attempts per upstream call, the first one included (1 turns retries off). */
      maxAttempts: whole(1, 10).optional(),
      /** Backoff before retry n is random in [0, min(maxDelayMs, baseDelayMs · 2^(n-1))] (full jitter). */
      baseDelayMs: whole(1, 60_000).optional(),
      maxDelayMs: whole(1, 300_000).optional(),
      /** Retries may add at most this share of the directory's requests… */
      budgetRatio: ratio.optional(),
      /** …plus this many retries per second, banked for up to 10 s. */
      budgetMinPerSecond: z.number().min(0).max(1000).optional(),
    })
    .optional(),
  circuitBreaker: z
    .strictObject({
      /** Recent calls the failure rate is computed over. */
      windowSize: whole(1, 10_000).optional(),
      /** Calls in the window before the breaker may open. */
      minimumCalls: whole(1, 10_000).optional(),
      /** Share of failures (unavailable, timeout, 5xx) in the window that opens the breaker. */
      failureRatio: ratio.optional(),
      /** How long the breaker stays open before it lets one probe through (half-open). */
      openMs: whole(1, 3_600_000).optional(),
    })
    .optional(),
  rateLimit: z
    .strictObject({
      /** Sustained outbound requests per second to the directory (token bucket). */
      requestsPerSecond: z.number().gt(0, 'must be more than 0').max(100_000).optional(),
      /** Requests that may go out at once after a quiet spell (bucket size). */
      burst: whole(1, 100_000).optional(),
    })
    .optional(),
  /** Upstream calls in flight at once for the directory, across all GraphQL requests. */
  maxConcurrent: whole(1, 1024).optional(),
});

export type ResilienceConfig = z.output<typeof resilienceConfig>;

export interface ResilienceOptions {
  readonly retry: {
    readonly maxAttempts: number;
    readonly baseDelayMs: number;
    readonly maxDelayMs: number;
    readonly budgetRatio: number;
    readonly budgetMinPerSecond: number;
  };
  readonly circuitBreaker: {
    readonly windowSize: number;
    readonly minimumCalls: number;
    readonly failureRatio: number;
    readonly openMs: number;
  };
  readonly rateLimit: { readonly requestsPerSecond: number; readonly burst: number };
  readonly maxConcurrent: number;
}

/**
 * Outbound requests per second when the config gives none. ZITADEL Cloud documents 50 req/s per IP
 * (then 429 and a ban); MonoCloud and the App Services Admin API document no number, so they get the
 * same conservative figure.
 */
export const DEFAULT_REQUESTS_PER_SECOND: Readonly<Record<ProviderKind, number>> = {
  zitadel: 50,
  monocloud: 50,
  'app-services': 50,
};

export const RESILIENCE_DEFAULTS = {
  retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 2_000, budgetRatio: 0.2, budgetMinPerSecond: 2 },
  circuitBreaker: { windowSize: 20, minimumCalls: 10, failureRatio: 0.5, openMs: 30_000 },
} as const;

/** The settings for one directory: its config over the defaults; `concurrency` is the directory's per-batch one. */
export function resolveResilience(
  config: ResilienceConfig | undefined,
  provider: ProviderKind,
  concurrency: number,
): ResilienceOptions {
  const requestsPerSecond = config?.rateLimit?.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND[provider];
  return {
    retry: { ...RESILIENCE_DEFAULTS.retry, ...defined(config?.retry) },
    circuitBreaker: { ...RESILIENCE_DEFAULTS.circuitBreaker, ...defined(config?.circuitBreaker) },
    rateLimit: {
      requestsPerSecond,
      burst: config?.rateLimit?.burst ?? Math.max(1, Math.ceil(requestsPerSecond)),
    },
    maxConcurrent: config?.maxConcurrent ?? concurrency,
  };
}

/** Keys set to undefined must not hide a default when spread. */
function defined<T extends object>(value: T | undefined): Partial<T> {
  if (value === undefined) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
