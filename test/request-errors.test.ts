import { afterAll, beforeAll, expect, it } from 'vitest';
import { Stack } from './support/stack.js';

// Every refusal carries a code, the second time as the first (Yoga caches parse and validation results).

let stack: Stack;
beforeAll(async () => {
  stack = await Stack.start({ perDirectory: 3 });
});
afterAll(() => stack.close());

async function ask(query: string, variables?: unknown, accept = 'application/graphql-response+json') {
  const response = await stack.app.fetch('http://usergraph.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    body: (await response.json()) as { errors?: { extensions?: { code?: string } }[] },
  };
}

it.each([
  ['a syntax error', '{ directories { name }', undefined, 'GRAPHQL_PARSE_FAILED', 400],
  ['an unknown field', '{ directories { nom } }', undefined, 'GRAPHQL_VALIDATION_FAILED', 400],
  [
    'a variable of the wrong type',
    'query ($ids: [ID!]!) { nodes(ids: $ids) { id } }',
    { ids: [{ not: 'an id' }] },
    'BAD_USER_INPUT',
    400,
  ],
  ['a missing variable', 'query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', {}, 'BAD_USER_INPUT', 400],
] as const)('%s is coded (twice)', async (_name, query, variables, code, status) => {
  for (let i = 0; i < 2; i += 1) {
    const answer = await ask(query, variables);
    expect(answer.status).toBe(status);
    expect(answer.body.errors?.map((error) => error.extensions?.code)).toEqual([code]);
  }
});

const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: name`).join(' ');
const ids = JSON.stringify(Array.from({ length: 501 }, (_, i) => `id${i}`));

it.each([
  ['a static limit crossed', `{ directories { ${aliases} } }`, 'QUERY_TOO_COMPLEX', 400],
  ['the ids cap crossed', `{ nodes(ids: ${ids}) { id } }`, 'OPERATION_TOO_EXPENSIVE', 400],
] as const)('%s has one status whatever the Accept header', async (_name, query, code, status) => {
  for (const accept of ['application/json', 'application/graphql-response+json', '*/*']) {
    const answer = await ask(query, undefined, accept);
    expect([accept, answer.status]).toEqual([accept, status]);
    expect(answer.body.errors?.map((error) => error.extensions?.code)).toEqual([code]);
  }
});

it('a subscription asked for as a single JSON answer is OPERATION_NOT_SUPPORTED, naming the Accept it needs', async () => {
  for (const accept of ['application/json', 'application/graphql-response+json']) {
    const answer = await ask('subscription { changes { cursor } }', undefined, accept);
    expect([accept, answer.status]).toEqual([accept, 400]);
    expect(answer.body.errors?.map((error) => error.extensions?.code)).toEqual(['OPERATION_NOT_SUPPORTED']);
    expect(JSON.stringify(answer.body.errors)).toContain('text/event-stream');
  }
});

it('a text filter longer than limits.textFilterLength is BAD_USER_INPUT on filter, before any upstream call', async () => {
  stack.sims.resetAll();
  const answer = await ask('query ($t: String!) { users(first: 5, filter: { text: $t }) { totalCount } }', {
    t: 'x'.repeat(201),
  });
  expect(answer.body.errors?.[0]?.extensions).toEqual({
    code: 'BAD_USER_INPUT',
    argument: 'filter',
    requestId: expect.any(String),
  });
  expect(stack.sims.monocloud.count() + stack.sims.zitadel.count() + stack.sims.appServices.count()).toBe(0);
});
