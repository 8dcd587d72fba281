import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { encodeUserId } from '../../src/directory/global-id.js';
import { SimulatorSet } from '../../src/simulators/index.js';

let sims: SimulatorSet;
beforeAll(async () => {
  // Every upstream answer takes 1 s, so a request is surely in flight when SIGTERM arrives.
  sims = await SimulatorSet.start({ perDirectory: 5, latencyMs: 1_000 });
});
afterAll(() => sims.close());
// A failed assertion must not leave the server running after the test.
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

it('on SIGTERM stops accepting, finishes the request in flight and exits 0', async () => {
  const [acme] = sims.directories();
  if (acme?.provider !== 'monocloud') throw new Error('unexpected simulator order');
  const file = join(mkdtempSync(join(tmpdir(), 'usergraph-')), 'usergraph.yaml');
  writeFileSync(
    file,
    `requestTimeoutMs: 5000
server: { drainSeconds: 0 }
auth: { mode: none }
directories:
  - name: acme
    provider: monocloud
    baseUrl: ${acme.baseUrl}
    apiKey: ${acme.apiKey}
`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', file], {
    env: { ...process.env, PORT: '0', SHUTDOWN_GRACE_MS: '5000', LOG_LEVEL: 'info' },
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
  const url = `http://127.0.0.1:${port}/graphql`;
  const id = encodeUserId('acme', sims.localIds().monocloud[0] ?? '');

  const started = Date.now();
  const inFlight = fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: `{ node(id: "${id}") { id } }` }),
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(sims.monocloud.count()).toBe(0); // the upstream call is still being answered
  child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 100));
  // No longer accepting: a new connection is refused while the first request finishes.
  await expect(fetch(url, { method: 'POST', body: '{}' })).rejects.toThrow();

  const response = await inFlight;
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ data: { node: { id } } });
  expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  const answeredAt = Date.now();
  const [code] = await exited;
  expect(code).toBe(0);
  // Keep-alive sockets are cut once idle: no waiting for the 5 s grace period.
  expect(Date.now() - answeredAt).toBeLessThan(2_000);
  expect(output).toContain('SIGTERM received');
});
