import { parse } from 'graphql';
import { estimateCalls } from '../src/cost/estimate.js';
import { encodeUserId } from '../src/directory/global-id.js';
import { DirectoryRegistry } from '../src/directory/registry.js';
import { buildSchema } from '../src/schema/index.js';
import { fakeDirectory, fakeUser } from '../test/support/fake-directory.js';

const users = [fakeUser('a', { localId: 'u1', createdAt: 1, status: 'ACTIVE', machine: false })];
const registry = new DirectoryRegistry([fakeDirectory('a', users, { pageSize: 50, reportsTotal: false })]);
const schema = buildSchema();
const doc = parse(
  'query($ids:[ID!]!){ nodes(ids:$ids){ id ... on User { displayName emails { address verified } } } }',
);
const variables = { ids: [encodeUserId('a', 'u1')] };
for (let i = 0; i < 20000; i++) estimateCalls(schema, doc, undefined, variables, registry);
const t = performance.now();
for (let i = 0; i < 200000; i++) estimateCalls(schema, doc, undefined, variables, registry);
console.log(`${(((performance.now() - t) * 1000) / 200000).toFixed(2)} µs per estimate`);
