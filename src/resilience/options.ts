import { z } from 'zod';
import type { ProviderKind } from '../directory/model.js';
import type { RateSettings } from './adaptive-rate.js';

// Per-directory resilience settings (`resilience:` in a directory's config). Every key is optional;
// `resolveResilience` fills in the documented defaults, some of which depend on the provider.

const whole = (min: number, max: number) =>
  z.number().int('must be a whole number').min(min, `must be at least ${min}`).max(max);
const ratio = z.number().min(0, 'must be from 0 to 1').max(1, 'must be from 0 to 1');

export const RESILIENCE_DEFAULTS = {
  retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 2_000, budgetRatio: 0.2, budgetMinPerSecond: 2 },
  circuitBreaker: { windowSize: 20, minimumCalls: 10, failureRatio: 0.5, openMs: 30_000 },
} as const;

/**
 * Calls in flight per directory across every GraphQL request. Sized for concurrent requests, not one
 * batch's fan-out (`concurrency`): the fair queue decides who goes next when it is full.
 */
export const DEFAULT_MAX_CONCURRENT = 256;

/** How often a DOWN directory is probed (resilience/recovery-probe.ts). */
export const DEFAULT_PROBE_INTERVAL_MS = 10_000;

export const resilienceConfig = z.strictObject({
  retry: z
    .strictObject({
      maxAttempts: whole(1, 10)
        .optional()
        .meta({ default: RESILIENCE_DEFAULTS.retry.maxAttempts })
        .describe('Attempts per upstream call, the first one included (1 turns retries off).'),
      baseDelayMs: whole(1, 60_000)
        .optional()
        .meta({ default: RESILIENCE_DEFAULTS.retry.baseDelayMs })
        .describe(
          'Backoff before retry n is random in [0, min(maxDelayMs, baseDelayMs · 2^(n-1))] (full jitter).',
        ),
      maxDelayMs: whole(1, 300_000)
        .optional()
        .meta({ default: RESILIENCE_DEFAULTS.retry.maxDelayMs })
        .describe('The longest backoff before a retry.'),
      budgetRatio: ratio
        .optional()
        .meta({ default: RESILIENCE_DEFAULTS.retry.budgetRatio })
        .describe("Retries may add at most this share of the directory's requests…"),
      budgetMinPerSecond: z
        .number()
        .min(0)
        .max(1000)
        .optional()
        .meta({ default: RESILIENCE_DEFAULTS.retry.budgetMinPerSecond })
        .describe('…plus this many retries per second, banked for up to 10 s.'),
    })
    .optional()
    .describe('Retries with backoff and full jitter, under a budget.'),
  circuitBreaker: z
    .strictObject({
      windowSize: whole(1, 10_000)
        .optional()
        .meta({ default: RESILIENCE_DEFAULTS.circuitBreaker.windowSize })
        .describe('Recent calls the failure rate is computed over.'),
      minimumCalls: whole(1, 10_000)
        .optional()
        .meta({ default: RESILIENCE_DEFAULTS.circuitBreaker.minimumCalls })
        .describe('Calls in the window before the breaker may open.'),
      failureRatio: ratio
        .optional()
        .meta({ default: RESILIENCE_DEFAULTS.circuitBreaker.failureRatio })
        .describe('Share of failures (unavailable, timeout, 5xx) in the window that opens the breaker.'),
      openMs: whole(1, 3_600_000)
        .optional()
        .meta({ default: RESILIENCE_DEFAULTS.circuitBreaker.openMs })
        .describe('How long the breaker stays open before it lets one probe through (half-open).'),
    })
    .optional()
    .describe('The circuit breaker: failing directories are not called for a while.'),
  rateLimit: z
    .strictObject({
      requestsPerSecond: z
        .number()
        .gt(0, 'must be more than 0')
        .max(100_000)
        .optional()
        .describe('A fixed outbound rate (requests per second): no learning, never more, never less.'),
      quota: z
        .number()
        .gt(0, 'must be more than 0')
        .max(100_000)
        .optional()
        .describe(
          "A quota the directory enforces (requests per second): never exceeded in any second. The rate stays 5% under it with bursts of 1, for the jitter of requests on the way. ZITADEL Cloud's 50 is the default on `*.zitadel.cloud`.",
        ),
      ceiling: z
        .number()
        .gt(0, 'must be more than 0')
        .max(100_000)
        .optional()
        .describe('Adaptive rate: the most it may reach.'),
      floor: z
        .number()
        .gt(0, 'must be more than 0')
        .max(100_000)
        .optional()
        .describe('Adaptive rate: the least it backs off to.'),
      initial: z
        .number()
        .gt(0, 'must be more than 0')
        .max(100_000)
        .optional()
        .describe('Adaptive rate: where it starts before it has learnt anything.'),
      burst: whole(1, 100_000)
        .optional()
        .describe('Requests that may go out at once after a quiet spell (bucket size).'),
    })
    .optional()
    .refine(
      (rate) =>
        rate?.requestsPerSecond === undefined || (rate.ceiling ?? rate.floor ?? rate.initial) === undefined,
      {
        message: 'give either a fixed requestsPerSecond or an adaptive ceiling/floor/initial, not both',
      },
    )
    .refine((rate) => rate?.floor === undefined || rate.ceiling === undefined || rate.floor <= rate.ceiling, {
      message: 'floor must not be above ceiling',
    })
    .describe(
      'The outbound rate: fixed, a quota the directory enforces, or learnt from its 429s (adaptive).',
    ),

  maxConcurrent: whole(1, 1024)
    .optional()
    .meta({ default: DEFAULT_MAX_CONCURRENT })
    .describe('Upstream calls in flight at once for the directory, across all GraphQL requests.'),
  probeIntervalMs: z
    .number()
    .int()
    .min(0)
    .max(3_600_000)
    .optional()
    .meta({ default: DEFAULT_PROBE_INTERVAL_MS })
    .describe(
      'While the directory is DOWN, one probe read per this many ms brings it back without client traffic (0: off).',
    ),
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
  readonly rateLimit: {
    readonly settings: RateSettings;
    /** Tokens that may go out at once; null: a fifth of a second of the current rate (at least 1). */
    readonly burst: number | null;
  };
  readonly maxConcurrent: number;
  readonly probeIntervalMs: number;
}

/**
 * Documented quotas: ZITADEL Cloud allows 50 requests/s per IP, then answers 429 and may ban
 * (providers/README.md §2.5). It applies to instances on `*.zitadel.cloud` only; a self-hosted ZITADEL,
 * MonoCloud and the App Services Admin API document none, so their rate is learnt.
 */
export const ZITADEL_CLOUD_QUOTA = 50;

/** Below a quota the directory enforces, so requests bunched on the way still arrive within it. */
export const QUOTA_MARGIN = 0.95;

/** Where an undocumented rate starts, and the most it may reach unless configured. */
export const ADAPTIVE_DEFAULTS = { initial: 100, floor: 1, ceiling: 50_000 } as const;

/** The settings for one directory: its config over the defaults. */
export function resolveResilience(
  config: ResilienceConfig | undefined,
  provider: ProviderKind,
  baseUrl: string,
): ResilienceOptions {
  return {
    retry: { ...RESILIENCE_DEFAULTS.retry, ...defined(config?.retry) },
    circuitBreaker: { ...RESILIENCE_DEFAULTS.circuitBreaker, ...defined(config?.circuitBreaker) },
    rateLimit: {
      settings: rateSettings(config?.rateLimit, provider, baseUrl),
      // Under an enforced quota, no bursts: every second holds at most the rate.
      burst: config?.rateLimit?.burst ?? (quotaOf(config?.rateLimit, provider, baseUrl) === null ? null : 1),
    },
    maxConcurrent: config?.maxConcurrent ?? DEFAULT_MAX_CONCURRENT,
    probeIntervalMs: config?.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS,
  };
}

/** A fixed rate where one is configured; else adaptive, under the documented quota where one exists. */
export function rateSettings(
  config: ResilienceConfig['rateLimit'],
  provider: ProviderKind,
  baseUrl: string,
): RateSettings {
  const fixed = config?.requestsPerSecond;
  if (fixed !== undefined) return { initial: fixed, floor: fixed, ceiling: fixed, adaptive: false };
  const quota = quotaOf(config, provider, baseUrl);
  const ceiling = config?.ceiling ?? (quota === null ? ADAPTIVE_DEFAULTS.ceiling : quota * QUOTA_MARGIN);
  return {
    // A known quota: start just under it; otherwise start modestly and learn.
    initial: config?.initial ?? (quota === null ? Math.min(ADAPTIVE_DEFAULTS.initial, ceiling) : ceiling),
    floor: Math.min(config?.floor ?? ADAPTIVE_DEFAULTS.floor, ceiling),
    ceiling,
    adaptive: true,
  };
}

/** The quota the directory enforces: configured, or ZITADEL Cloud's documented one. */
function quotaOf(
  config: ResilienceConfig['rateLimit'],
  provider: ProviderKind,
  baseUrl: string,
): number | null {
  if (config?.requestsPerSecond !== undefined) return null;
  if (config?.quota !== undefined) return config.quota;
  return provider === 'zitadel' && isZitadelCloud(baseUrl) ? ZITADEL_CLOUD_QUOTA : null;
}

function isZitadelCloud(baseUrl: string): boolean {
  try {
    const host = new URL(baseUrl).hostname.toLowerCase();
    return host === 'zitadel.cloud' || host.endsWith('.zitadel.cloud');
  } catch {
    return false;
  }
}

/** Keys set to undefined must not hide a default when spread. */
function defined<T extends object>(value: T | undefined): Partial<T> {
  if (value === undefined) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
