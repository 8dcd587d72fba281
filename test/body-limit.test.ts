import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { DirectoryRegistry } from '../src/directory/registry.js';

// The request body limit is checked from Content-Length alone (src/body-limit.ts), over a real socket
// so the headers are exactly what a client sends.

let server: Server;
let port: number;
beforeAll(async () => {
  server = createServer(createApp({ directories: new DirectoryRegistry([]) }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Sends raw HTTP/1.1 and returns the status line's code and the body. */
function raw(head: string, body = ''): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(`${head}\r\n\r\n${body}`));
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString('utf8');
    });
    socket.on('error', reject);
    socket.on('close', () =>
      resolve({ status: Number(text.slice(9, 12)), body: text.slice(text.indexOf('\r\n\r\n') + 4) }),
    );
  });
}

const QUERY = JSON.stringify({ query: '{ directories { name } }' });
const post = (headers: string) =>
  `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n${headers}`;

it('answers a POST that declares its length', async () => {
  const { status, body } = await raw(post(`Content-Length: ${QUERY.length}`), QUERY);
  expect(status).toBe(200);
  expect(body).toContain('"directories":[]');
});

it('refuses a chunked POST with 411, before reading it', async () => {
  const chunk = `${QUERY.length.toString(16)}\r\n${QUERY}\r\n0\r\n\r\n`;
  const { status, body } = await raw(post('Transfer-Encoding: chunked'), chunk);
  expect(status).toBe(411);
  expect(JSON.parse(body.slice(body.indexOf('{'), body.lastIndexOf('}') + 1))).toEqual({
    errors: [{ message: 'Content-Length required' }],
  });
});

it('refuses a declared length over the limit with 413 without waiting for the body', async () => {
  const { status } = await raw(post('Content-Length: 25000001'));
  expect(status).toBe(413);
});
