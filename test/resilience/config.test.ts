import { expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';

const base = `
auth: { mode: none }
directories:
  - name: corp
    provider: zitadel
    baseUrl: https://corp.zitadel.cloud
    token: t
`;

it('reads requestTimeoutMs and per-directory resilience settings, defaulting both', () => {
  const plain = parseConfig(base, 'u.yaml', {});
  expect(plain.ok && plain.config.requestTimeoutMs).toBe(10_000);
  expect(plain.ok && plain.config.directories[0]?.resilience).toBeUndefined();

  const tuned = parseConfig(
    `requestTimeoutMs: 3000${base}    resilience:
      retry: { maxAttempts: 1 }
      circuitBreaker: { openMs: 5000 }
      rateLimit: { requestsPerSecond: 10 }
      maxConcurrent: 4
`,
    'u.yaml',
    {},
  );
  expect(tuned.ok && tuned.config.requestTimeoutMs).toBe(3_000);
  expect(tuned.ok && tuned.config.directories[0]?.resilience).toEqual({
    retry: { maxAttempts: 1 },
    circuitBreaker: { openMs: 5_000 },
    rateLimit: { requestsPerSecond: 10 },
    maxConcurrent: 4,
  });
});

it('reports bad resilience settings with their path', () => {
  const result = parseConfig(
    `${base}    resilience:
      retry: { maxAttempts: 0, budgetRatio: 2 }
      breaker: {}
`,
    'u.yaml',
    {},
  );
  expect(result.ok ? [] : result.problems).toEqual([
    'directories[0].resilience.retry.maxAttempts: must be at least 1',
    'directories[0].resilience.retry.budgetRatio: must be from 0 to 1',
    'directories[0].resilience: Unrecognized key: "breaker"',
  ]);
});
