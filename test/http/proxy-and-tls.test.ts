import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProxy } from 'proxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { UpstreamError } from '../../src/directory/failures.js';
import { encodeUserId } from '../../src/directory/global-id.js';
import { HttpClient } from '../../src/http/client.js';
import { createApp } from '../../src/server/app.js';
import { buildDirectories } from '../../src/server/directories.js';
import { SimulatorSet } from '../../src/simulators/index.js';
import { makeTestCa } from '../../src/simulators/test-ca.js';

// Enterprise networks: upstream calls go through the forward proxy HTTPS_PROXY/HTTP_PROXY name (a real
// proxy, the `proxy` package, on 127.0.0.1), except to hosts NO_PROXY lists; and a directory behind a
// private certificate authority is trusted through `tls.ca` (a CA and a server certificate made with
// openssl for this run).

let sims: SimulatorSet;
let proxy: Server;
let proxyUrl: string;
const proxied: string[] = [];

beforeAll(async () => {
  sims = await SimulatorSet.start({ perDirectory: 3 });
  proxy = createProxy(createHttpServer());
  proxy.on('request', (request) => proxied.push(`${request.method} ${request.url}`));
  proxy.on('connect', (request) => proxied.push(`CONNECT ${request.url}`));
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => proxy.close(resolve));
  await sims.close();
});

/** usergraph as a process with `env`, asked for one MonoCloud user; its answer. */
async function askThroughProcess(env: Record<string, string>): Promise<string> {
  const [acme] = sims.directories();
  const file = join(mkdtempSync(join(tmpdir(), 'usergraph-proxy-')), 'usergraph.yaml');
  writeFileSync(
    file,
    stringify({ auth: { mode: 'none' }, server: { drainSeconds: 0 }, directories: [acme] }),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', file], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let output = '';
    const port = await new Promise<string>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const found = /localhost:(\d+)\/graphql/.exec(output);
        if (found?.[1]) resolve(found[1]);
      });
      child.once('exit', () => reject(new Error(output)));
    });
    const id = encodeUserId('acme', sims.localIds().monocloud[0] ?? '');
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ user(id: "${id}") { localId } }` }),
    });
    return await response.text();
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

describe('HTTP_PROXY / NO_PROXY', () => {
  it('upstream calls go through the proxy the environment names', async () => {
    proxied.length = 0;
    const answer = await askThroughProcess({ HTTP_PROXY: proxyUrl, HTTPS_PROXY: proxyUrl, NO_PROXY: '' });
    expect(answer).toContain(sims.localIds().monocloud[0]);
    const acme = new URL(sims.directories()[0]?.baseUrl ?? '');
    expect(proxied.some((line) => line.includes(`${acme.host}/api/users/`))).toBe(true);
  }, 30_000);

  it('hosts NO_PROXY lists are reached directly', async () => {
    proxied.length = 0;
    const answer = await askThroughProcess({
      HTTP_PROXY: proxyUrl,
      HTTPS_PROXY: proxyUrl,
      NO_PROXY: '127.0.0.1',
    });
    expect(answer).toContain(sims.localIds().monocloud[0]);
    expect(proxied).toEqual([]);
  }, 30_000);
});

describe('tls.ca', () => {
  let server: Server;
  let origin: string;
  let ca: string;
  beforeAll(async () => {
    const made = makeTestCa();
    ca = made.ca;
    server = createHttpsServer({ key: made.key, cert: made.cert }, (_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const call = (options: { ca?: string }) =>
    new HttpClient({
      provider: 'monocloud',
      directory: 'private',
      baseUrl: origin,
      timeoutMs: 5_000,
      connections: 2,
      ...options,
    }).send({
      method: 'GET',
      path: '/ping',
      operation: 'GET /ping',
    });

  it('a directory behind a private CA is trusted with tls.ca, and refused without it', async () => {
    expect((await call({ ca })).body).toBe('{"ok":true}');
    await expect(call({})).rejects.toBeInstanceOf(UpstreamError);
  });

  it('through HTTPS_PROXY too: tunnelled with CONNECT, the directory’s certificate checked against tls.ca', async () => {
    const saved = { HTTPS_PROXY: process.env.HTTPS_PROXY, NO_PROXY: process.env.NO_PROXY };
    process.env.HTTPS_PROXY = proxyUrl;
    process.env.NO_PROXY = '';
    proxied.length = 0;
    try {
      expect((await call({ ca })).body).toBe('{"ok":true}');
      expect(proxied).toEqual([`CONNECT ${new URL(origin).host}`]);
      await expect(call({})).rejects.toBeInstanceOf(UpstreamError);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});

describe('the simulators over HTTPS (as the real directories serve)', () => {
  for (const http2 of [false, true]) {
    it(`every directory answers through tls.ca${http2 ? ', over HTTP/2 with tls.http2' : ''}, with the same upstream calls`, async () => {
      const made = makeTestCa();
      const secure = await SimulatorSet.start({
        perDirectory: 3,
        tls: { key: made.key, cert: made.cert, http2 },
      });
      try {
        const configs = secure.directories().map((config) => ({ ...config, tls: { ca: made.ca, http2 } }));
        expect(configs.every((config) => config.baseUrl.startsWith('https://'))).toBe(true);
        const registry = buildDirectories(configs);
        const app = createApp({ logLevel: 'silent', directories: registry });
        const response = await app.fetch('http://usergraph.test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ users(first: 9) { nodes { id directory { name } } } }' }),
        });
        const answer = (await response.json()) as {
          data?: { users: { nodes: { directory: { name: string } }[] } };
        };
        expect(new Set(answer.data?.users.nodes.map((node) => node.directory.name))).toEqual(
          new Set(['acme', 'corp', 'mobile']),
        );
        expect(secure.monocloud.count('listUsers')).toBe(1);
        // Each directory's calls came over the protocol asked for.
        const viaHttp2 = secure.all.map((simulator) => simulator.http2Requests > 0);
        expect(viaHttp2).toEqual([http2, http2, http2]);
        await registry.close();
      } finally {
        await secure.close();
      }
    });
  }
});
