import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { generateApiKey } from '../../src/auth/api-keys.js';
import { CursorCodec } from '../../src/directory/cursor.js';
import { SimulatorSet } from '../../src/simulators/index.js';

// Reload without restart: SIGHUP (or POST /admin/reload) re-reads the config. An added API key works
// within a second while 16 clients keep running through the reload without a single failure; an
// invalid file changes nothing and is counted; the admin endpoint needs `admin:reload`.

const reader = generateApiKey();
const added = generateApiKey();
const admin = generateApiKey();
let sims: SimulatorSet;
let child: ChildProcess;
let base: string;
let file: string;
let output = '';

function config(keys: { name: string; sha256: string; scopes: string[] }[]) {
  return stringify({
    auth: { apiKeys: keys },
    http: { adminReload: true },
    audit: { sink: 'off' },
    server: { drainSeconds: 0 },
    directories: sims.directories(),
  });
}
const READER = { name: 'reader', sha256: reader.sha256, scopes: ['users:read'] };
const ADMIN = { name: 'ops', sha256: admin.sha256, scopes: ['admin:reload', 'metrics:read'] };

beforeAll(async () => {
  sims = await SimulatorSet.start({ perDirectory: 3 });
  file = join(mkdtempSync(join(tmpdir(), 'usergraph-reload-')), 'usergraph.yaml');
  writeFileSync(file, config([READER, ADMIN]));
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', file], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = /localhost:(\d+)\/graphql/.exec(output);
      if (found?.[1]) resolve(found[1]);
    });
    child.once('exit', () => reject(new Error(`usergraph exited early: ${output}`)));
  });
  base = `http://127.0.0.1:${port}`;
}, 30_000);

afterAll(async () => {
  if (child.exitCode === null) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  await sims.close();
});

const ask = (key: string) =>
  fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({ query: '{ directories { name } }' }),
  }).then(async (response) => {
    await response.arrayBuffer();
    return response.status;
  });

it('SIGHUP with an added key: it works within 1 s, and 16 clients running through the reload never fail', async () => {
  expect(await ask(added.key)).toBe(401);
  let running = true;
  const failures: number[] = [];
  let answered = 0;
  const clients = Array.from({ length: 16 }, async () => {
    while (running) {
      const status = await ask(reader.key).catch(() => 0);
      answered += 1;
      if (status !== 200) failures.push(status);
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  writeFileSync(
    file,
    config([READER, ADMIN, { name: 'added', sha256: added.sha256, scopes: ['users:read'] }]),
  );
  const sent = Date.now();
  child.kill('SIGHUP');
  await expect.poll(() => ask(added.key), { timeout: 1_000, interval: 25 }).toBe(200);
  expect(Date.now() - sent).toBeLessThan(1_000);
  await new Promise((resolve) => setTimeout(resolve, 300));
  running = false;
  await Promise.all(clients);
  expect(answered).toBeGreaterThan(50);
  expect(failures).toEqual([]);
  expect(output).toContain('config reloaded');
});

it('an invalid file changes nothing, is logged with its problems and counted', async () => {
  writeFileSync(file, 'directories: [ { name: "Not A Name", provider: nope } ]\n');
  child.kill('SIGHUP');
  await expect.poll(() => output.includes('config reload refused'), { timeout: 2_000 }).toBe(true);
  expect(await ask(added.key)).toBe(200);
  expect(await ask(reader.key)).toBe(200);
  expect(output).not.toContain('Not A Name');
  const metrics = await (await fetch(`${base}/metrics`, { headers: { 'x-api-key': admin.key } })).text();
  expect(metrics).toMatch(/usergraph_config_reloads_total\{outcome="refused"\} 1/);
  expect(metrics).toMatch(/usergraph_config_reloads_total\{outcome="applied"\} 1/);
});

it('POST /admin/reload: for admin:reload only; answers the problems of a refused file', async () => {
  const post = (key: string) =>
    fetch(`${base}/admin/reload`, { method: 'POST', headers: { 'x-api-key': key } });
  expect((await post(reader.key)).status).toBe(403);
  const refused = await post(admin.key);
  expect(refused.status).toBe(400);
  const body = (await refused.json()) as { reloaded: boolean; problems: string[] };
  expect(body.reloaded).toBe(false);
  expect(body.problems.join('\n')).toMatch(/directories\[0\]/);
  writeFileSync(file, config([READER, ADMIN]));
  const applied = await post(admin.key);
  expect(applied.status).toBe(200);
  expect(await ask(added.key)).toBe(401);
});

it('cursor secrets rotate: a cursor signed with the previous secret still reads, new ones use the current one', () => {
  const previous = Buffer.from('p'.repeat(40));
  const current = Buffer.from('c'.repeat(40));
  const before = new CursorCodec(previous);
  const rotated = new CursorCodec(current, [previous]);
  const sealed = before.sealJson('changes', { v: 1 });
  expect(rotated.openJson('changes', sealed)).toEqual({ v: 1 });
  expect(before.openJson('changes', rotated.sealJson('changes', { v: 2 }))).toBeNull();
  expect(new CursorCodec(current).openJson('changes', sealed)).toBeNull();
});
