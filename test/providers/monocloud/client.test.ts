import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../src/directory/failures.js';
import { MonoCloudClient } from '../../../src/providers/monocloud/client.js';
import type { MonoCloudProblem } from '../../../src/providers/monocloud/problem.js';
import { wireUser } from '../../../src/providers/monocloud/wire.js';
import { JOHN_DOE_ID } from '../../../src/simulators/monocloud/john-doe.js';
import { MonoCloudSimulator } from '../../../src/simulators/monocloud/simulator.js';
import { generatePeople } from '../../../src/simulators/people.js';
import { bareHttp } from '../../support/http.js';
import { fixture } from './fixtures.js';

interface SdkProblem {
  readonly status: number;
  readonly body: Record<string, unknown>;
}
const sdk = fixture<Record<string, SdkProblem>>('monocloud-sdk-examples.json');
const problemBody = (name: string) => (sdk[name] as SdkProblem).body;

const sim = new MonoCloudSimulator({ accounts: generatePeople({ perDirectory: 30 }).monocloud });
let client: MonoCloudClient;
let wrongKey: MonoCloudClient;

/** An UpstreamError whose `problem` is MonoCloud's parsed RFC 7807 body. */
type MonoCloudError = UpstreamError & { readonly problem: MonoCloudProblem | null };

async function rejection(promise: Promise<unknown>): Promise<MonoCloudError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  return error as MonoCloudError;
}

beforeAll(async () => {
  const baseUrl = await sim.listen(0);
  client = new MonoCloudClient({
    http: bareHttp('monocloud', baseUrl, { timeoutMs: 2000, connections: 4 }),
    apiKey: sim.apiKey,
  });
  wrongKey = new MonoCloudClient({
    http: bareHttp('monocloud', baseUrl, { timeoutMs: 2000, connections: 1 }),
    apiKey: 'mc_wrong_key_0123456789',
  });
});

afterEach(() => sim.reset());

afterAll(async () => {
  await client.close();
  await wrongKey.close();
  await sim.close();
});

describe('getUser', () => {
  it('sends X-API-KEY to the documented path and decodes the "Get a user" payload', async () => {
    const user = await client.getUser(JOHN_DOE_ID);
    expect(user).toEqual(wireUser.parse(fixture('monocloud-get-user.json')));
    const [entry] = sim.log;
    expect(entry).toMatchObject({
      route: 'getUser',
      method: 'GET',
      path: `/api/users/${JOHN_DOE_ID}`,
      status: 200,
    });
    expect(entry?.headers['x-api-key']).toBe(sim.apiKey);
  });

  it('decodes a generated current-shape user', async () => {
    const record = sim.users[5];
    const user = await client.getUser(record?.user_id ?? '');
    expect(user?.user_id).toBe(record?.user_id);
    expect(user?.external_providers).toBeDefined();
    expect(user?.failure_count).toBeTypeOf('number');
  });

  it('returns null for an unknown id (404)', async () => {
    expect(await client.getUser('doesNotExist000000000')).toBeNull();
    expect(sim.log[0]?.status).toBe(404);
  });

  it('URL-encodes the id so it cannot address another route', async () => {
    expect(await client.getUser('a/b c?d')).toBeNull();
    expect(sim.log.map((entry) => entry.path)).toEqual(['/api/users/a%2Fb%20c%3Fd']);
    for (const impossible of ['', '.', '..']) expect(await client.getUser(impossible)).toBeNull();
    expect(sim.count()).toBe(1);
  });

  it('turns a bad key into 401 unauthorized without echoing the key', async () => {
    const error = await rejection(wrongKey.getUser(JOHN_DOE_ID));
    expect(error).toMatchObject({
      kind: 'unauthorized',
      status: 401,
      provider: 'monocloud',
      operation: 'GET /api/users/{id}',
      providerCode: 'https://httpstatuses.io/401',
      retryable: false,
    });
    expect(error.problem).toMatchObject({ title: 'Unauthorized', status: 401 });
    expect(error.message).not.toContain('mc_wrong_key_0123456789');
    expect(error.message).not.toContain(sim.apiKey);
  });

  it('parses the 400 problem', async () => {
    sim.inject({
      route: 'getUser',
      fault: { type: 'status', status: 400, body: problemBody('problem_400') },
    });
    const error = await rejection(client.getUser(JOHN_DOE_ID));
    expect(error).toMatchObject({
      kind: 'bad_request',
      status: 400,
      providerCode: 'https://httpstatuses.io/400',
      problem: {
        type: 'https://httpstatuses.io/400',
        title: 'Bad Request',
        status: 400,
        detail: 'Bad Request Detail',
        traceId: '00-2e0cd141be28223b233dd3907cbe58b4-2ba9f9375b4b78e0-01',
        validation: null,
      },
    });
    expect(error.message).toContain('Bad Request - Bad Request Detail');
  });

  it('parses the 422 validation-error variant into fields', async () => {
    sim.inject({ fault: { type: 'status', status: 422, body: problemBody('problem_422_key_validation') } });
    const error = await rejection(client.getUser(JOHN_DOE_ID));
    expect(error.kind).toBe('bad_request');
    expect(error.providerCode).toBe('https://httpstatuses.io/422#validation-error');
    expect(error.problem?.validation).toEqual({
      kind: 'fields',
      errors: { name: ['Invalid Name'], password: ['Invalid Password'] },
    });
    expect(error.message).toContain('fields: name, password');
    expect(error.message).not.toContain('Invalid Password');
  });

  it('parses the 422 identity-validation-error variant into codes', async () => {
    sim.inject({
      fault: { type: 'status', status: 422, body: problemBody('problem_422_identity_validation') },
    });
    const error = await rejection(client.getUser(JOHN_DOE_ID));
    expect(error.providerCode).toBe('https://httpstatuses.io/422#identity-validation-error');
    expect(error.problem?.validation).toEqual({
      kind: 'identity',
      errors: [
        { code: 'PasswordTooShort', description: 'Passwords must be at least 8 characters.' },
        {
          code: 'PasswordRequiresNonAlphanumeric',
          description: 'Passwords must have at least one non alphanumeric character.',
        },
        {
          code: 'PasswordRequiresUpper',
          description: "Passwords must have at least one uppercase ('A'-'Z').",
        },
      ],
    });
    expect(error.message).toContain(
      'codes: PasswordTooShort, PasswordRequiresNonAlphanumeric, PasswordRequiresUpper',
    );
  });

  it('parses the 500 problem as retryable unavailable', async () => {
    sim.inject({ fault: { type: 'status', status: 500, body: problemBody('problem_500') } });
    const error = await rejection(client.getUser(JOHN_DOE_ID));
    expect(error).toMatchObject({
      kind: 'unavailable',
      status: 500,
      retryable: true,
      providerCode: 'https://httpstatuses.io/500',
    });
    expect(error.problem?.detail).toBe('Internal Server Error Detail');
  });

  it('reads Retry-After on 429 as seconds and as an HTTP date', async () => {
    sim.inject({ fault: { type: 'rate-limit', retryAfter: '7' }, times: 1 });
    const seconds = await rejection(client.getUser(JOHN_DOE_ID));
    expect(seconds).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 7000, retryable: true });
    expect(seconds.providerCode).toBe('https://httpstatuses.io/429');

    sim.inject({ fault: { type: 'rate-limit', retryAfter: new Date(Date.now() + 60_000).toUTCString() } });
    const date = await rejection(client.getUser(JOHN_DOE_ID));
    expect(date.retryAfterMs).toBeGreaterThan(55_000);
    expect(date.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('treats a truncated 200 body as bad_response', async () => {
    sim.inject({ fault: { type: 'malformed' } });
    const error = await rejection(client.getUser(JOHN_DOE_ID));
    expect(error).toMatchObject({ kind: 'bad_response', status: null });
    expect(error.message).toContain('body is not JSON');
  });

  it('treats an off-contract 200 body (no user_id) as bad_response, naming the path only', async () => {
    const { user_id: _id, ...withoutId } = fixture<Record<string, unknown>>('monocloud-get-user.json');
    sim.inject({ fault: { type: 'status', status: 200, body: withoutId } });
    const error = await rejection(client.getUser(JOHN_DOE_ID));
    expect(error.kind).toBe('bad_response');
    expect(error.message).toContain('user_id');
    expect(error.message).not.toContain('John');
  });

  it('times out a call that never answers', async () => {
    const slow = new MonoCloudClient({
      http: bareHttp('monocloud', sim.url, { timeoutMs: 150, connections: 1 }),
      apiKey: sim.apiKey,
    });
    sim.inject({ fault: { type: 'hang' }, times: 1 });
    try {
      const error = await rejection(slow.getUser(JOHN_DOE_ID));
      expect(error).toMatchObject({ kind: 'timeout', retryable: true });
    } finally {
      await slow.close();
    }
  });
});

describe('listUsers', () => {
  it('sends page, size, filter and sort, and parses x-pagination', async () => {
    const page = await client.listUsers({
      page: 2,
      size: 5,
      filter: 'a',
      sort: { field: 'last_updated', order: -1 },
    });
    const entry = sim.log[0];
    expect(new URLSearchParams(entry?.query)).toEqual(
      new URLSearchParams({ page: '2', size: '5', filter: 'a', sort: 'last_updated:-1' }),
    );
    expect(page.items).toHaveLength(5);
    expect(page.pagination).toMatchObject({ page_size: 5, current_page: 2, has_previous: true });
    expect(page.pagination.total_count).toBeGreaterThan(5);
  });

  it('decodes the legacy summary of John Doe as sent on the "Get all users" page', async () => {
    const page = await client.listUsers({ page: 1, size: 1, filter: JOHN_DOE_ID });
    expect(page.items).toHaveLength(1);
    expect(page.items[0]?.idps).toEqual([
      { provider_user_id: '79a500f9-aba6-4f03-baec-c18f4b7136ad', authenticator: 'google' },
    ]);
    expect(page.pagination).toEqual({
      total_count: 1,
      page_size: 1,
      current_page: 1,
      has_next: false,
      has_previous: false,
    });
  });

  it('treats a list without the x-pagination header as bad_response', async () => {
    sim.inject({ route: 'listUsers', fault: { type: 'status', status: 200, body: [] } });
    const error = await rejection(client.listUsers({ page: 1, size: 10 }));
    expect(error.kind).toBe('bad_response');
    expect(error.message).toContain('x-pagination header missing');
  });

  it('treats an off-contract list item as bad_response', async () => {
    sim.inject({ route: 'listUsers', fault: { type: 'status', status: 200, body: [{ user_id: 'x' }] } });
    const error = await rejection(client.listUsers({ page: 1, size: 10 }));
    expect(error.kind).toBe('bad_response');
    expect(error.message).toContain('0.disabled');
  });

  it('reports a refused page size as bad_request with the problem detail', async () => {
    const error = await rejection(client.listUsers({ page: 1, size: 101 }));
    expect(error).toMatchObject({ kind: 'bad_request', status: 400, operation: 'GET /api/users' });
    expect(error.problem?.detail).toMatch(/size/);
  });
});

describe('non-problem bodies and headers (a bare HTTP server)', () => {
  let server: Server;
  let bare: MonoCloudClient;
  let reply: (res: ServerResponse) => void = (res) => res.end();

  beforeAll(async () => {
    server = createServer((_req, res) => reply(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    bare = new MonoCloudClient({
      http: bareHttp('monocloud', `http://127.0.0.1:${port}`, { timeoutMs: 2000, connections: 1 }),
      apiKey: 'k',
    });
  });

  afterAll(async () => {
    await bare.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('keeps a plain-text error body out of the error', async () => {
    reply = (res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>Bad gateway for tenant acme, key=mc_secret</html>');
    };
    const error = await rejection(bare.getUser('u1'));
    expect(error).toMatchObject({ kind: 'unavailable', status: 502, providerCode: null, problem: null });
    expect(error.message).not.toContain('mc_secret');
    expect(error.message).not.toContain('html');
  });

  it('does not read a JSON error body that is not labelled problem+json', async () => {
    reply = (res) => {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'x', title: 'Forbidden' }));
    };
    const error = await rejection(bare.getUser('u1'));
    expect(error).toMatchObject({ kind: 'forbidden', status: 403, problem: null, providerCode: null });
  });

  it('treats an unreadable x-pagination header as bad_response', async () => {
    reply = (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-pagination': '{"total_count":' });
      res.end('[]');
    };
    const error = await rejection(bare.listUsers({ page: 1, size: 10 }));
    expect(error.kind).toBe('bad_response');
    expect(error.message).toContain('x-pagination header is not the documented JSON');
  });

  it('reads the SDK fixture header (mixed-case name)', async () => {
    const header = fixture<{ list_users_response_headers: Record<string, string> }>(
      'monocloud-sdk-examples.json',
    ).list_users_response_headers['x-Pagination'];
    reply = (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'X-Pagination': header ?? '' });
      res.end('[]');
    };
    const page = await bare.listUsers({ page: 3, size: 2 });
    expect(page).toEqual({
      items: [],
      pagination: { total_count: 20, page_size: 2, current_page: 3, has_next: true, has_previous: true },
    });
  });
});
