import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DirectoryRegistry } from '../src/directory/registry.js';
import { MAX_REQUEST_BODY_BYTES, useBodyLimit } from '../src/plugins/hygiene/use-body-limit.js';
import { buildSchema } from '../src/schema/index.js';
import { createApp } from '../src/server/app.js';

// The request body limit (src/plugins/use-body-limit.ts): from Content-Length when the body declares one, by
// counting when it is chunked; over a real socket so the headers are exactly what a client sends.

let server: Server;
let port: number;
beforeAll(async () => {
  server = createServer(
    createApp({ logLevel: 'silent', directories: new DirectoryRegistry([]) }).http.listener,
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Sends raw HTTP/1.1 and returns the status line's code and the body. */
function raw(head: string, body = '', to = port): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(to, '127.0.0.1', () => socket.end(`${head}\r\n\r\n${body}`));
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

it('answers a chunked POST, which declares no length', async () => {
  const half = Math.floor(QUERY.length / 2);
  const chunks = [QUERY.slice(0, half), QUERY.slice(half)]
    .map((part) => `${part.length.toString(16)}\r\n${part}\r\n`)
    .join('');
  const { status, body } = await raw(post('Transfer-Encoding: chunked'), `${chunks}0\r\n\r\n`);
  expect(status).toBe(200);
  expect(body).toContain('"directories":[]');
});

it('refuses a chunked POST with 413 once it passes the limit', async () => {
  const small = createServer(
    createYoga({ schema: buildSchema(), maxRequestBodySize: false, plugins: [useBodyLimit(64)] }),
  );
  await new Promise<void>((resolve) => small.listen(0, '127.0.0.1', resolve));
  try {
    const big = JSON.stringify({ query: `{ __typename } ${'#'.repeat(100)}` });
    const chunked = `${big.length.toString(16)}\r\n${big}\r\n0\r\n\r\n`;
    const refused = await raw(
      post('Transfer-Encoding: chunked'),
      chunked,
      (small.address() as { port: number }).port,
    );
    expect(refused.status).toBe(413);
    expect(
      JSON.parse(refused.body.slice(refused.body.indexOf('{'), refused.body.lastIndexOf('}') + 1)),
    ).toEqual({
      errors: [
        {
          message: 'Request body too large: at most 64 bytes.',
          extensions: { code: 'PAYLOAD_TOO_LARGE', max: 64 },
        },
      ],
    });
    const typename = JSON.stringify({ query: '{ __typename }' });
    const fits = `${typename.length.toString(16)}\r\n${typename}\r\n0\r\n\r\n`;
    expect(
      (await raw(post('Transfer-Encoding: chunked'), fits, (small.address() as { port: number }).port))
        .status,
    ).toBe(200);
  } finally {
    await new Promise<void>((resolve) => small.close(() => resolve()));
  }
});

it('refuses a declared length over the limit with 413 without waiting for the body', async () => {
  const { status } = await raw(post('Content-Length: 25000001'));
  expect(status).toBe(413);
});

it('defaults to 2 MB, what the caps need (Apollo Router’s default), not Yoga’s 25 MB', async () => {
  expect((await raw(post(`Content-Length: ${MAX_REQUEST_BODY_BYTES + 1}`))).status).toBe(413);
  expect(MAX_REQUEST_BODY_BYTES).toBe(2_000_000);
});
