import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { DirectoryConfig } from '../src/config/config.js';
import { SimulatorSet } from '../src/simulators/index.js';
import { TestIssuer } from './support/issuer.js';
import { freePort } from './support/ports.js';

// `usergraph --check`: the config, every directory with its credentials, the token issuer; one line per
// check, a failed one naming what to fix, and a non-zero exit on any failure.

let sims: SimulatorSet;
let issuer: TestIssuer;
beforeAll(async () => {
  sims = await SimulatorSet.start({ perDirectory: 2 });
  issuer = await TestIssuer.start();
});
afterAll(async () => {
  await issuer.close();
  await sims.close();
});

async function check(config: Record<string, unknown>): Promise<{ code: number | null; output: string }> {
  const file = join(mkdtempSync(join(tmpdir(), 'usergraph-check-')), 'usergraph.yaml');
  writeFileSync(file, stringify(config));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', file, '--check'], {
    env: { ...process.env, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

const jwt = () => ({ jwt: { issuer: issuer.url, audience: 'usergraph' } });

it('a working config: every check passes, one line each, exit 0', async () => {
  const { code, output } = await check({ auth: jwt(), directories: sims.directories() });
  expect(output).toMatch(/^✓ config: .* is valid$/m);
  for (const name of ['acme (monocloud)', 'corp (zitadel)', 'mobile (app-services)']) {
    expect(output).toMatch(new RegExp(`^✓ directory ${name.replace(/[()]/g, '\\$&')}: users: readable`, 'm'));
  }
  expect(output).toMatch(/^✓ token issuer: discovery/m);
  expect(output).toMatch(/^✓ token issuer: keys: 3 signing keys/m);
  expect(output).not.toMatch(/^✗/m);
  expect(code).toBe(0);
});

it('a rejected credential and an unreachable issuer: each named with what to do, exit 1', async () => {
  const port = await freePort();
  const directories = sims
    .directories()
    .map((directory: DirectoryConfig) =>
      directory.provider === 'monocloud' ? { ...directory, apiKey: 'mc_wrong_key' } : directory,
    );
  const { code, output } = await check({
    auth: { jwt: { issuer: `http://127.0.0.1:${port}`, audience: 'usergraph' } },
    directories,
  });
  expect(output).toMatch(
    /^✗ directory acme \(monocloud\): users: DIRECTORY_UNAUTHORIZED \(HTTP 401\): the credential was rejected: check apiKey/m,
  );
  expect(output).toMatch(/^✓ directory corp \(zitadel\): users/m);
  expect(output).toMatch(/^✗ token issuer: discovery: .*check auth\.jwt\.issuer/m);
  expect(output).not.toContain('mc_wrong_key');
  expect(code).toBe(1);
});

it('an introspection client the issuer refuses', async () => {
  issuer.clients.set('usergraph-check', { secret: 'right' });
  const good = await check({
    auth: { introspection: { issuer: issuer.url, clientId: 'usergraph-check', clientSecret: 'right' } },
    directories: sims.directories().slice(0, 1),
  });
  expect(good.output).toMatch(/^✓ token issuer: introspection/m);
  const bad = await check({
    auth: { introspection: { issuer: issuer.url, clientId: 'usergraph-check', clientSecret: 'wrong' } },
    directories: sims.directories().slice(0, 1),
  });
  expect(bad.output).toMatch(
    /^✗ token issuer: introspection: the token issuer refused usergraph’s introspection client/m,
  );
  expect(bad.code).toBe(1);
});
