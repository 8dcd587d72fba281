import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { encodeUserId } from '../../src/directory/global-id.js';
import type { CallOptions, DirectoryProvider } from '../../src/directory/port.js';
import { DirectoryRegistry } from '../../src/directory/registry.js';
import { createApp } from '../../src/server/app.js';

// A client that hangs up stops the work done for it: the request's deadline signal, which every
// upstream call listens to, follows node:http's response.

it('aborts the upstream calls of a request whose client went away, long before the deadline', async () => {
  let abortedAfterMs: number | null = null;
  const slow: DirectoryProvider = {
    name: 'slow',
    provider: 'monocloud',
    getUsers: (_ids, options: CallOptions = {}) =>
      new Promise((_resolve, reject) => {
        const began = Date.now();
        options.signal?.addEventListener('abort', () => {
          abortedAfterMs = Date.now() - began;
          reject(new Error('aborted'));
        });
      }),
    listUsers: () => Promise.reject(new Error('not used')),
  };
  const server = createServer(
    createApp({ logLevel: 'silent', directories: new DirectoryRegistry([slow]), requestTimeoutMs: 10_000 })
      .http.listener,
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const body = JSON.stringify({ query: `{ node(id: "${encodeUserId('slow', 'u1')}") { id } }` });
    const client = request({
      port: (server.address() as AddressInfo).port,
      host: '127.0.0.1',
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    client.on('error', () => {});
    client.end(body);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(abortedAfterMs).toBeNull();
    client.destroy();
    await expect.poll(() => abortedAfterMs, { timeout: 2_000 }).not.toBeNull();
    expect(abortedAfterMs).toBeLessThan(2_000);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
