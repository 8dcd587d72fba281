import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeUserId } from '../../src/directory/global-id.js';
import { SimulatorSet } from '../../src/simulators/index.js';
import { Stack } from '../support/stack.js';

// Readiness means "this process can serve", never "my upstreams are up": a deployment with one
// directory whose credentials are rejected keeps its pods in the Service, callers get the coded error,
// and the directory recovers by itself (a background probe) with no client request. On SIGTERM
// readiness fails first while requests are still served for `server.drainSeconds`.

let stack: Stack | undefined;
const children: ChildProcess[] = [];
afterEach(async () => {
  await stack?.close();
  stack = undefined;
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('one directory, its credentials rejected', () => {
  it('readiness stays 200, queries get DIRECTORY_UNAUTHORIZED; DOWN clears within a probe interval without a request', async () => {
    stack = await Stack.start({
      perDirectory: 3,
      configure: (configs) =>
        configs
          .filter((config) => config.provider === 'monocloud')
          .map((config) => ({ ...config, resilience: { probeIntervalMs: 200 } })),
    });
    const s = stack;
    s.sims.monocloud.inject({ fault: { type: 'status', status: 401 } });
    const id = encodeUserId('acme', s.ids.monocloud[0] ?? '');
    const refused = await s.app.fetch('http://usergraph.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ user(id: "${id}") { id } }` }),
    });
    expect(
      ((await refused.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code,
    ).toBe('DIRECTORY_UNAUTHORIZED');
    const health = async () =>
      (await (await s.app.fetch('http://usergraph.test/readiness')).json()) as {
        ready: boolean;
        directories: { state: string }[];
      };
    const down = await s.app.fetch('http://usergraph.test/readiness');
    expect(down.status).toBe(200);
    expect((await health()).directories[0]?.state).toBe('DOWN');
    // Probes go out while it is DOWN (one per interval), each through the guard.
    await new Promise((resolve) => setTimeout(resolve, 650));
    const probes = s.sims.monocloud.count('listUsers');
    expect(probes).toBeGreaterThanOrEqual(2);
    expect(probes).toBeLessThanOrEqual(4);
    expect((await health()).directories[0]?.state).toBe('DOWN');
    // The credential is accepted again: the next probe brings it back, no client request needed.
    s.sims.resetAll();
    await expect
      .poll(async () => (await health()).directories[0]?.state, { timeout: 1_000, interval: 50 })
      .not.toBe('DOWN');
    const calls = s.sims.monocloud.count('listUsers');
    expect(calls).toBeGreaterThanOrEqual(1);
    // Back up, probing stops.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(s.sims.monocloud.count('listUsers')).toBe(calls);
  });
});

describe('draining', () => {
  it('on SIGTERM readiness fails first, requests are still served for drainSeconds, then it exits 0', async () => {
    const sims = await SimulatorSet.start({ perDirectory: 3 });
    try {
      const [acme] = sims.directories();
      if (acme?.provider !== 'monocloud') throw new Error('unexpected simulator order');
      const file = join(mkdtempSync(join(tmpdir(), 'usergraph-')), 'usergraph.yaml');
      writeFileSync(
        file,
        `server: { drainSeconds: 2 }
auth: { mode: none }
directories:
  - { name: acme, provider: monocloud, baseUrl: "${acme.baseUrl}", apiKey: "${acme.apiKey}" }
`,
      );
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', file], {
        env: { ...process.env, PORT: '0', SHUTDOWN_GRACE_MS: '3000', LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      const exited = once(child, 'exit');
      let output = '';
      const port = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const found = /localhost:(\d+)\/graphql/.exec(output);
          if (found?.[1]) resolve(found[1]);
        });
        child.once('exit', () => reject(new Error(`usergraph exited early: ${output}`)));
      });
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/readiness`)).status).toBe(200);
      const signalled = Date.now();
      child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const readiness = await fetch(`${base}/readiness`);
      expect(readiness.status).toBe(503);
      expect(await readiness.json()).toMatchObject({ ready: false, draining: true });
      // Still served during the drain.
      const id = encodeUserId('acme', sims.localIds().monocloud[0] ?? '');
      const during = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `{ user(id: "${id}") { id } }` }),
      });
      expect(during.status).toBe(200);
      const [code] = await exited;
      expect(code).toBe(0);
      expect(Date.now() - signalled).toBeGreaterThanOrEqual(2_000);
      expect(output).toContain('draining');
    } finally {
      await sims.close();
    }
  }, 20_000);
});
