import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { needsRestart } from '../../src/server/generation.js';
import type { ProcessConfig } from '../../src/server/process-config.js';

// A reload applies what it can and names what needs a restart: the parts main.ts builds once for the
// process (the server, Redis, metrics, tracing, the change streams, the webhooks machinery).

const BASE = `
directories:
  - provider: monocloud
    name: acme
    baseUrl: https://acme.example.com
    apiKey: mc_key
auth: { mode: none }
`;

function processConfig(extra: string): ProcessConfig {
  const parsed = parseConfig(`${BASE}${extra}`, 'usergraph.yaml', {});
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return {
    source: { kind: 'file', path: 'usergraph.yaml', config: parsed.config },
    port: 4000,
    host: undefined,
    shutdownGraceMs: 10_000,
    logLevel: 'info',
    federation: false,
    production: false,
    server: parsed.config.server,
    tracing: null,
  };
}

describe('a reload', () => {
  it('names the feed’s stream settings and the webhooks as needing a restart, not the poll intervals', () => {
    const before = processConfig('');
    expect(needsRestart(before, processConfig('feed: { minIntervalMs: 500 }\n'))).toEqual([]);
    expect(needsRestart(before, processConfig('feed: { maxLength: 500 }\n'))).toEqual([
      'feed.enabled/maxLength/maxAgeSeconds',
    ]);
    expect(needsRestart(before, processConfig('webhooks: { retryMaxMs: 1000 }\n'))).toEqual(['webhooks']);
  });
});
