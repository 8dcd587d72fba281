import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);

/** The version of `dependency` that `from` (a package name) loads, resolved from where `from` lives. */
function versionSeenBy(from: string, dependency: string): string {
  const fromHere = createRequire(require.resolve(`${from}/package.json`));
  return (
    JSON.parse(readFileSync(fromHere.resolve(`${dependency}/package.json`), 'utf8')) as { version: string }
  ).version;
}

// package.json's `overrides` move the request path's framework onto @whatwg-node/promise-helpers 2.x,
// whose helpers pass a synchronous value straight through (S1 CPU/op ×0.85, BENCHMARKS.md); the two
// packages that still re-export 1.x's mapMaybePromise keep 1.x. An `npm update` that drops either half
// fails here rather than in a benchmark or at import.
describe('the promise helpers under the request path', () => {
  it('graphql-yoga, @whatwg-node/server and @envelop/instrumentation load 2.x', () => {
    for (const from of ['graphql-yoga', '@whatwg-node/server', '@envelop/instrumentation']) {
      expect(versionSeenBy(from, '@whatwg-node/promise-helpers'), from).toMatch(/^2\./);
    }
  });

  it('@envelop/core keeps 1.x, whose mapMaybePromise it re-exports, and loads', async () => {
    expect(versionSeenBy('@envelop/core', '@whatwg-node/promise-helpers')).toMatch(/^1\./);
    const envelop = await import('@envelop/core');
    expect(typeof envelop.mapMaybePromise).toBe('function');
  });
});
