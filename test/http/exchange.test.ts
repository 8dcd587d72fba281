import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errors, Pool } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { exchange } from '../../src/http/exchange.js';

// The collector under every upstream call: whole bodies, headers, and each way a call can end early.

let server: Server;
let origin: string;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url ?? '');
    if (req.url === '/hang') return; // never answers
    if (req.url === '/slow-body') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"a":');
      return; // and never ends
    }
    const body = JSON.stringify({ path: req.url, big: 'é'.repeat(100_000) });
    res.writeHead(201, { 'content-type': 'application/json', 'x-pagination': '{"has_next":false}' });
    // In pieces, so the body arrives in several chunks with a multi-byte character split among them.
    const bytes = Buffer.from(body);
    res.write(bytes.subarray(0, 7));
    res.end(bytes.subarray(7));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

it('collects a whole body across chunks, with status and lower-cased headers', async () => {
  const pool = new Pool(origin);
  const answer = await exchange(pool, { method: 'GET', path: '/ok' }, undefined);
  expect(answer.status).toBe(201);
  expect(answer.headers['x-pagination']).toBe('{"has_next":false}');
  expect(JSON.parse(answer.body)).toEqual({ path: '/ok', big: 'é'.repeat(100_000) });
  await pool.close();
});

it('rejects with undici’s timeout errors for missing headers and a stalled body', async () => {
  const pool = new Pool(origin);
  await expect(
    exchange(pool, { method: 'GET', path: '/hang', headersTimeout: 100 }, undefined),
  ).rejects.toBeInstanceOf(errors.HeadersTimeoutError);
  await expect(
    exchange(pool, { method: 'GET', path: '/slow-body', bodyTimeout: 100 }, undefined),
  ).rejects.toBeInstanceOf(errors.BodyTimeoutError);
  await pool.destroy();
});

it('rejects at once when its signal aborts, in flight or still queued, and never sends a queued call', async () => {
  const pool = new Pool(origin, { connections: 1 });
  const controller = new AbortController();
  seen.length = 0;
  const inFlight = exchange(pool, { method: 'GET', path: '/hang' }, controller.signal);
  const queued = exchange(pool, { method: 'GET', path: '/queued' }, controller.signal);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const started = Date.now();
  controller.abort();
  await expect(inFlight).rejects.toBeInstanceOf(errors.RequestAbortedError);
  await expect(queued).rejects.toBeInstanceOf(errors.RequestAbortedError);
  expect(Date.now() - started).toBeLessThan(1_000);
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(seen).toEqual(['/hang']);

  const already = new AbortController();
  already.abort();
  await expect(exchange(pool, { method: 'GET', path: '/ok' }, already.signal)).rejects.toBeInstanceOf(
    errors.RequestAbortedError,
  );
  await pool.destroy();
});

it('rejects when the pool is already closed', async () => {
  const pool = new Pool(origin);
  await pool.close();
  await expect(exchange(pool, { method: 'GET', path: '/ok' }, undefined)).rejects.toBeInstanceOf(
    errors.ClientDestroyedError,
  );
});
