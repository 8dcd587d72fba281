import { request as httpRequest, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { serverSettings } from '../../src/config/config.js';
import { encodeUserId } from '../../src/directory/global-id.js';
import { createHttpServer } from '../../src/server/http-server.js';
import { HaProxy } from '../support/haproxy.js';
import { Stack } from '../support/stack.js';

// No one client address can take the server for itself: a peer holds at most
// `maxConnectionsPerAddress` connections (idle ones included), and behind a trusted load balancer each
// forwarded client address at most that many requests in flight. Clients on other loopback addresses
// (127.0.0.2, 127.0.0.3: Linux routes the whole 127/8 to loopback) are served meanwhile.

let stack: Stack | undefined;
let server: Server | undefined;
let proxy: HaProxy | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await proxy?.stop();
  if (server !== undefined) await new Promise((resolve) => server?.close(resolve));
  server?.closeAllConnections();
  await stack?.close();
  stack = server = proxy = undefined;
});

function open(port: number, from: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress: from }, () => resolve(socket));
    socket.once('error', reject);
    sockets.push(socket);
  });
}

function closedSoon(socket: Socket, ms = 500): Promise<boolean> {
  if (socket.destroyed || socket.readableEnded) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function get(port: number, path: string, from: string, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        localAddress: from,
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json', connection: 'close' },
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('connections per client address', () => {
  it('a peer past its cap is cut at once, idle sockets included; other addresses are served', async () => {
    stack = await Stack.start({ perDirectory: 2 });
    server = createHttpServer(
      stack.app.http.listener,
      serverSettings.parse({ maxConnectionsPerAddress: 20 }),
    );
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const held = await Promise.all(Array.from({ length: 30 }, () => open(port, '127.0.0.1')));
    const closed = await Promise.all(held.map((socket) => closedSoon(socket)));
    expect(closed.filter(Boolean)).toHaveLength(10);
    expect(closed.slice(0, 20).every((c) => !c)).toBe(true);
    expect(await get(port, '/health', '127.0.0.2')).toBe(200);
    // Its own sockets given back, the first address may connect again.
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await get(port, '/health', '127.0.0.1')).toBe(200);
  });
});

describe('behind a trusted load balancer (HAProxy, X-Forwarded-For)', () => {
  it('caps requests in flight per forwarded client, not per proxy connection', async () => {
    stack = await Stack.start({ perDirectory: 5, latencyMs: 300 });
    server = createHttpServer(
      stack.app.http.listener,
      serverSettings.parse({ maxConnectionsPerAddress: 5, trustedProxies: ['127.0.0.1'] }),
    );
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    proxy = await HaProxy.start([{ name: 'a', port: (server.address() as AddressInfo).port }]);
    const port = Number(new URL(proxy.url).port);
    const query = JSON.stringify({
      query: `{ user(id: "${encodeUserId('acme', stack.ids.monocloud[0] ?? '')}") { id } }`,
    });
    // Eight slow requests from one client at once (all through the proxy's own connections).
    const busy = Promise.all(Array.from({ length: 8 }, () => get(port, '/graphql', '127.0.0.2', query)));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const other = await get(port, '/graphql', '127.0.0.3', query);
    const statuses = await busy;
    expect(statuses.filter((status) => status === 200)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(3);
    expect(other).toBe(200);
  });
});
