import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { encodeUserId } from '../../src/directory/global-id.js';
import { createLog } from '../../src/observability/logger.js';
import { NodesByIdsDocument, PersonCardDocument } from '../generated/graphql.js';
import { LogLines } from '../support/log-lines.js';
import { Stack } from '../support/stack.js';

// One access line per request, keyed by the request id the caller sees in the header and in every
// error; never a variable, an email or a credential.

const out = new LogLines();
let stack: Stack;
beforeAll(async () => {
  stack = await Stack.start({ perDirectory: 20, log: createLog({ level: 'info', destination: out }) });
});
afterAll(() => stack.close());
beforeEach(() => {
  stack.sims.resetAll();
  out.clear();
});

const sixty = () => [
  ...stack.ids.monocloud.map((id) => encodeUserId('acme', id)),
  ...stack.ids.zitadel.map((id) => encodeUserId('corp', id)),
  ...stack.ids.appServices.map((id) => encodeUserId('mobile', id)),
];
const accessLines = () => out.lines.filter((line) => line.log === 'access');

it('a 60-user read with one directory failing: x-request-id round-trips into errors and the one access line', async () => {
  stack.sims.monocloud.inject({ route: 'getUser', fault: { type: 'status', status: 503 } });
  const { status, body, headers } = await stack.execute(
    PersonCardDocument,
    { ids: sixty() },
    { 'x-request-id': 'support-ticket-4711' },
  );
  expect(status).toBe(200);
  expect(headers.get('x-request-id')).toBe('support-ticket-4711');
  // The 20 acme users, and the acme account linked to a corp user.
  expect(body.errors?.length).toBe(21);
  for (const error of body.errors ?? [])
    expect(error.extensions).toMatchObject({
      code: 'DIRECTORY_UNAVAILABLE',
      directory: 'acme',
      requestId: 'support-ticket-4711',
    });

  const [line, ...others] = accessLines();
  expect(others).toEqual([]);
  expect(line).toMatchObject({
    level: 30,
    requestId: 'support-ticket-4711',
    method: 'POST',
    path: '/graphql',
    status: 200,
    principal: 'open:anonymous',
    operation: 'PersonCard',
    errors: ['DIRECTORY_UNAVAILABLE'],
  });
  expect(line?.durationMs).toEqual(expect.any(Number));
  // Upstream calls per directory, as the budget counted them: what the simulators received.
  const upstream = line?.upstream as Record<string, number>;
  expect(upstream.corp).toBe(stack.sims.zitadel.count());
  // App Services' token login is the provider's, not the operation's.
  expect(upstream.mobile).toBe(stack.sims.appServices.count() - stack.sims.appServices.count('login'));
  expect(upstream.acme).toBeGreaterThanOrEqual(20);
  // Nothing a response carried: no email, no display name.
  const written = JSON.stringify(out.lines);
  expect(written).not.toContain('@');
  expect(written).not.toMatch(/displayName|john/i);
  // Tracing is off here: no trace id in the line, no traceparent upstream.
  expect(line?.traceId).toBeUndefined();
  expect(stack.sims.all.flatMap((sim) => sim.log).some((entry) => 'traceparent' in entry.headers)).toBe(
    false,
  );
});

it('replaces an id that is not a plain token, and still returns the one it used', async () => {
  for (const given of ['has space', 'x'.repeat(129), 'new\nline', '']) {
    out.clear();
    const { headers, body } = await stack.execute(
      NodesByIdsDocument,
      { ids: ['not-a-global-id'] },
      given === 'new\nline' ? {} : { 'x-request-id': given },
    );
    const used = headers.get('x-request-id');
    expect(used).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.errors?.[0]?.extensions?.requestId).toBe(used);
    expect(accessLines()[0]?.requestId).toBe(used);
  }
});

it('errors before execution carry the id too, and the line says what was refused', async () => {
  const response = await stack.app.fetch('http://usergraph.test/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      'x-request-id': 'bad-query-1',
    },
    body: JSON.stringify({ query: `query ${'x'.repeat(300)} { directoriez { name } }` }),
  });
  const body = (await response.json()) as { errors: { extensions: Record<string, unknown> }[] };
  expect(body.errors[0]?.extensions).toMatchObject({
    code: 'GRAPHQL_VALIDATION_FAILED',
    requestId: 'bad-query-1',
  });
  const [line] = accessLines();
  expect(line).toMatchObject({
    requestId: 'bad-query-1',
    status: 400,
    errors: ['GRAPHQL_VALIDATION_FAILED'],
  });
  // A caller's operation name is cut to 128 characters.
  expect((line?.operation as string).length).toBe(129);
});

it('health checks are written at debug only', async () => {
  expect((await stack.app.fetch('http://usergraph.test/health')).status).toBe(200);
  expect(accessLines()).toEqual([]);
});
