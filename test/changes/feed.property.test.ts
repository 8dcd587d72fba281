import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventKey } from '../../src/providers/zitadel/changes.js';
import { ChangesDocument } from '../generated/graphql.js';
import { Stack } from '../support/stack.js';

// The change feed's promise (issue 16): polled with `after = endCursor` while users change upstream,
// in any interleaving of changes and polls of any size, it returns every change exactly once — across
// ZITADEL's time-watermarked event log (with events of one push sharing a timestamp), MonoCloud's
// page-numbered log and App Services' `_id` order, merged under one cursor. Timestamps are not always
// in log order (MonoCloud stamps whole seconds; a run's clock may be behind the last one's), as in real
// directories. FC_SEED replays a failing run.

let stack: Stack;
beforeAll(async () => {
  stack = await Stack.start({ perDirectory: 30 });
});
afterAll(() => stack.close());

type Op =
  | { readonly t: 'zitadel'; readonly kind: number; readonly user: number; readonly advanceMs: number }
  | { readonly t: 'monocloud'; readonly kind: number; readonly user: number }
  | { readonly t: 'apps' }
  | { readonly t: 'poll'; readonly first: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('zitadel' as const),
      kind: fc.nat(4),
      user: fc.nat(29),
      advanceMs: fc.constantFrom(0, 0, 1, 2, 1500),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ t: fc.constant('monocloud' as const), kind: fc.nat(3), user: fc.nat(29) }),
  },
  { weight: 1, arbitrary: fc.constant({ t: 'apps' as const }) },
  {
    weight: 3,
    arbitrary: fc.record({ t: fc.constant('poll' as const), first: fc.integer({ min: 1, max: 7 }) }),
  },
);

const idOf = (change: { id: string }) =>
  Buffer.from(change.id, 'base64url').toString('utf8').slice('c1:'.length);

it('returns every upstream change exactly once, whatever the interleaving of changes and polls', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 30 }), async (ops) => {
      const sims = stack.sims;
      const zitadel = sims.zitadel.access;
      const monocloud = sims.monocloud.access;
      let clock = Math.max(Date.now(), ...zitadel.events.map((e) => e.at)) + 1;
      const zitadelBefore = zitadel.events.length;
      const monocloudBefore = monocloud.logs.length;
      const appsBefore = new Set(sims.appServices.records.map((r) => r._id));

      // The feed starts now; what it returns at once (MonoCloud's `since` covers its whole second) is
      // from before the run and set aside.
      const start = await stack.execute(ChangesDocument, {
        since: new Date(clock - 1).toISOString(),
        first: 500,
      });
      expect(start.body.errors).toBeUndefined();
      let after = start.body.data?.changes?.pageInfo.endCursor ?? null;
      const received: string[] = [];
      const poll = async (first: number) => {
        const { body } = await stack.execute(ChangesDocument, { first, after });
        expect(body.errors).toBeUndefined();
        const changes = body.data?.changes;
        received.push(
          ...(changes?.nodes ?? []).map(
            (n) => `${n.directoryName}:${idOf(n).slice(n.directoryName.length + 1)}`,
          ),
        );
        after = changes?.pageInfo.endCursor ?? after;
        return changes;
      };

      for (const op of ops) {
        if (op.t === 'poll') await poll(op.first);
        else if (op.t === 'apps') sims.appServices.addUser(`user ${received.length}`);
        else if (op.t === 'zitadel') {
          clock += op.advanceMs;
          const user = stack.ids.zitadel[op.user] ?? '';
          if (op.kind === 0) zitadel.changeProfile(user, clock);
          else if (op.kind === 1) zitadel.lock(user, clock);
          else if (op.kind === 2) zitadel.signIn(user, clock);
          else if (op.kind === 3) zitadel.grantRole(user, 'console', 'console.viewer', clock);
          else zitadel.addToGroup(user, zitadel.groups[op.user % zitadel.groups.length]?.id ?? '', clock);
        } else {
          const user = sims.monocloud.users[op.user + 1]?.user_id ?? '';
          const group = monocloud.groups[op.user % monocloud.groups.length]?.group_id ?? '';
          const second = Math.floor(clock / 1000);
          if (op.kind === 0) monocloud.signIn(user, second);
          else if (op.kind === 1) monocloud.block(user, second);
          else if (op.kind === 2) monocloud.addToGroup(user, group, second);
          else monocloud.removeFromGroup(user, group, second);
        }
      }
      // Drain: poll until a page says nothing more is there.
      for (let polls = 0; polls < 100; polls += 1) {
        const page = await poll(7);
        if (!page?.pageInfo.hasNextPage && page?.nodes.length === 0) break;
      }

      const expected = [
        ...zitadel.events
          .slice(zitadelBefore)
          .map(
            (e) =>
              `corp:${eventKey({ aggregate: { id: e.aggregateId, type: { type: e.aggregateType } }, sequence: e.sequence, creationDate: '', type: { type: e.type } })}`,
          ),
        ...monocloud.logs.slice(monocloudBefore).map((entry) => `acme:${entry.id}`),
        ...sims.appServices.records.filter((r) => !appsBefore.has(r._id)).map((r) => `mobile:${r._id}`),
      ];
      expect([...received].sort()).toEqual([...expected].sort());
    }),
    {
      numRuns: 30,
      ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED), endOnFailure: true } : {}),
    },
  );
}, 120_000);
