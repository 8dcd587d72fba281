import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeUserId } from '../../src/directory/global-id.js';
import { NodesByIdsDocument } from '../generated/graphql.js';
import { Stack } from '../support/stack.js';

const WRONG_KEY = 'mc_wrong_key_5d1f0b6a9c2e47e8';
const WRONG_TOKEN = 'zpat_wrong_token_0c9b8a7d6e5f';

let stack: Stack;
beforeAll(async () => {
  stack = await Stack.start({
    perDirectory: 20,
    configure: (configs) =>
      configs.map((config) => {
        if (config.provider === 'monocloud') return { ...config, apiKey: WRONG_KEY };
        if (config.provider === 'zitadel') return { ...config, token: WRONG_TOKEN };
        return config;
      }),
  });
});
afterAll(() => stack.close());

it('reports an upstream 401 as DIRECTORY_UNAUTHORIZED for that directory only, with no secret anywhere', async () => {
  const ids = [
    encodeUserId('acme', stack.ids.monocloud[0] ?? ''),
    encodeUserId('mobile', stack.ids.appServices[0] ?? ''),
    encodeUserId('corp', stack.ids.zitadel[0] ?? ''),
    encodeUserId('acme', stack.ids.monocloud[1] ?? ''),
  ];
  const { status, body, text } = await stack.execute(NodesByIdsDocument, { ids });

  // GraphQL over HTTP: the request itself succeeded, whatever the upstream said.
  expect(status).toBe(200);
  expect(body.data?.nodes?.[1]?.id).toBe(ids[1]);
  expect(body.data?.nodes?.[0]).toBeNull();
  expect(body.data?.nodes?.[2]).toBeNull();
  const byPath = Object.fromEntries((body.errors ?? []).map((error) => [String(error.path?.[1]), error]));
  expect(byPath['0']?.extensions).toMatchObject({
    code: 'DIRECTORY_UNAUTHORIZED',
    directory: 'acme',
    provider: 'monocloud',
    upstreamStatus: 401,
  });
  expect(byPath['2']?.extensions).toMatchObject({
    code: 'DIRECTORY_UNAUTHORIZED',
    directory: 'corp',
    provider: 'zitadel',
  });
  expect(byPath['3']?.extensions).toMatchObject({ code: 'DIRECTORY_UNAUTHORIZED', directory: 'acme' });
  expect(body.errors).toHaveLength(3);

  const secrets = [
    WRONG_KEY,
    WRONG_TOKEN,
    stack.sims.monocloud.apiKey,
    stack.sims.zitadel.token,
    stack.sims.appServices.privateApiKey,
    'x-api-key',
    'authorization',
    'Bearer',
  ];
  for (const secret of secrets) expect(text.toLowerCase()).not.toContain(secret.toLowerCase());
  // No upstream body either: the simulators' error texts never reach the client.
  expect(text).not.toContain('Errors.Token.Invalid');
  expect(text).not.toContain('httpstatuses.io');
});

it('masks unexpected failures and reports a broken upstream body as DIRECTORY_BAD_RESPONSE', async () => {
  stack.sims.appServices.inject({ route: 'getUser', fault: { type: 'malformed' }, times: 1 });
  const id = encodeUserId('mobile', stack.ids.appServices[5] ?? '');
  const { body, text } = await stack.execute(NodesByIdsDocument, { ids: [id] });
  expect(body.data?.nodes?.[0]).toBeNull();
  expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'DIRECTORY_BAD_RESPONSE', directory: 'mobile' });
  expect(text).not.toContain('trunc');
});
