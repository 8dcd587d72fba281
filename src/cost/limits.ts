import { z } from 'zod';

// `limits:` in usergraph.yaml: what one operation may ask for. Static limits are checked before
// validation; the upstream-call budget before execution (src/cost/estimate.ts) and again, as a hard
// ceiling, during it. docs/limits.md has the reasons for each default.

const whole = (max: number) => z.number().int('must be a whole number').min(1, 'must be at least 1').max(max);

export const limitSettings = z.strictObject({
  queryBytes: whole(10_000_000).default(32_768).describe('Characters of the query text.'),
  tokens: whole(1_000_000)
    .default(3_000)
    .describe('Lexical tokens of the query (also bounds parser recursion).'),
  depth: whole(1_000).default(12).describe('Field nesting, root fields at depth 1.'),
  aliases: whole(10_000)
    .default(30)
    .describe(
      'Aliased fields after fragment expansion (an alias inside a fragment counts where it is spread).',
    ),
  expandedFields: whole(1_000_000)
    .default(1_000)
    .describe(
      'Fields after fragment expansion: the expanded size, each fragment counted wherever it is spread.',
    ),
  directives: whole(10_000).default(20).describe('Directive uses in the document.'),
  rootFields: whole(1_000).default(15).describe('Root fields of one operation.'),
  ids: whole(100_000)
    .default(500)
    .describe('Global ids per operation across node, nodes, user, directory.user and _entities.'),
  emails: whole(10_000).default(100).describe('Email addresses per operation across every usersByEmail.'),
  textFilterLength: whole(10_000).default(200).describe('Characters of a text filter.'),
  writesPerOperation: whole(100)
    .default(1)
    .describe('Mutation fields (actions on people) in one operation, aliases counted.'),
  maxUpstreamCalls: whole(1_000_000)
    .default(1_000)
    .describe('Upstream calls one operation may make, estimated before execution and enforced during it.'),
  perPrincipal: z
    .strictObject({
      operationsPerMinute: whole(100_000_000)
        .default(6_000)
        .describe('Operations one principal may run per minute (bursts of a tenth of that).'),
      upstreamCallsPerMinute: whole(1_000_000_000)
        .default(600_000)
        .describe('The estimates of one principal’s operations per minute, added up.'),
      writesPerMinute: whole(1_000_000)
        .default(60)
        .describe(
          'Mutations (dry runs included) one principal may run per minute, apart from its reads (bursts of ten seconds’ worth).',
        ),
      directoryShare: z
        .number()
        .gt(0, 'must be more than 0')
        .max(1, 'must be at most 1')
        .default(0.5)
        .describe(
          "The share of one directory's outbound rate (its quota, or its configured or learnt ceiling) one principal's estimates may take per minute, so no caller can hold a quota-bound directory for itself however long it keeps sending.",
        ),
    })
    .prefault({})
    .describe(
      'What one principal may do per minute, across its operations (RATE_LIMITED with retryAfter past it).',
    ),
});

export type LimitSettings = z.output<typeof limitSettings>;

export const DEFAULT_LIMITS: LimitSettings = limitSettings.parse({});

/** Limits as a caller of createApp gives them: any of them, the per-principal ones one by one. */
export type LimitOverrides = Partial<Omit<LimitSettings, 'perPrincipal'>> & {
  readonly perPrincipal?: Partial<LimitSettings['perPrincipal']>;
};

export function withDefaultLimits(overrides: LimitOverrides = {}): LimitSettings {
  return {
    ...DEFAULT_LIMITS,
    ...overrides,
    perPrincipal: { ...DEFAULT_LIMITS.perPrincipal, ...overrides.perPrincipal },
  };
}
