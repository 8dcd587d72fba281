import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionStore } from '../../src/actions/action-store.js';
import { MemoryActionStore } from '../../src/actions/memory-action-store.js';
import { isSuspended } from '../../src/directory/lifecycle.js';
import type { Fault } from '../../src/simulators/server.js';
import { Stack } from '../support/stack.js';
import {
  type Payload,
  type Person,
  peopleEverywhere,
  RESUME,
  SIGN_OUT,
  SUSPEND,
  statesOf,
  WRITE_ROUTES,
  writesMade,
} from './support.js';

// Random sequences of suspend, resume and sign-out over one person's three accounts (and, in every
// request, an account an administrator disabled behind usergraph's back), with faults injected into
// the writes (5xx, 429, and timeouts after the write took effect) and idempotency keys reused. After
// each sequence, repeating the last request completes it, and then every account is where the last
// request wanted it. No request writes to an account already where it wants it, and no resume ever
// enables the account usergraph did not suspend.

/** The action log, replaced between runs so each sequence starts with none. */
class FreshStore implements ActionStore {
  current = new MemoryActionStore();
  get ready() {
    return true;
  }
  claim: ActionStore['claim'] = (...args) => this.current.claim(...args);
  finish: ActionStore['finish'] = (...args) => this.current.finish(...args);
  release: ActionStore['release'] = (...args) => this.current.release(...args);
  suspension: ActionStore['suspension'] = (...args) => this.current.suspension(...args);
  recordSuspension: ActionStore['recordSuspension'] = (...args) => this.current.recordSuspension(...args);
  clearSuspension: ActionStore['clearSuspension'] = (...args) => this.current.clearSuspension(...args);
}

/** Sequences per run: `npm run fuzz` (FUZZ_RUNS) tries more. */
const RUNS = Math.max(12, Math.min(Number(process.env.FUZZ_RUNS ?? 12), 500));

const store = new FreshStore();
let stack: Stack;
let person: Person;
let bystander: Person;

beforeAll(async () => {
  stack = await Stack.start({
    perDirectory: 600,
    actions: { store, keepMs: 60_000 },
    limits: { perPrincipal: { writesPerMinute: 1_000_000 } },
    // A write that hangs after taking effect is given up on quickly (the per-call bound).
    configure: (configs) => configs.map((config) => ({ ...config, timeoutMs: 400 })),
  });
  const people = peopleEverywhere(stack.sims);
  person = people[0] as Person;
  bystander = people[1] as Person;
});
afterAll(() => stack.close());

type Action = 'suspend' | 'resume' | 'signOut';
const QUERY: Record<Action, string> = { suspend: SUSPEND, resume: RESUME, signOut: SIGN_OUT };

interface Step {
  readonly action: Action;
  /** Reuse the key of an earlier step (its index), or a fresh one. */
  readonly key: number | null;
  readonly fault: { readonly sim: 'monocloud' | 'zitadel' | 'appServices'; readonly fault: Fault } | null;
}

const FAULTS: readonly Fault[] = [
  { type: 'status', status: 503 },
  { type: 'rate-limit', retryAfter: '0' },
  { type: 'applied-then-hang' },
  { type: 'applied-then-status', status: 500 },
];

const step: fc.Arbitrary<Step> = fc.record({
  action: fc.constantFrom<Action>('suspend', 'resume', 'suspend', 'resume', 'signOut'),
  key: fc.option(fc.nat({ max: 5 }), { freq: 3 }),
  fault: fc.option(
    fc.record({
      sim: fc.constantFrom('monocloud' as const, 'zitadel' as const, 'appServices' as const),
      fault: fc.constantFrom(...FAULTS),
    }),
    { freq: 2 },
  ),
});

async function run(action: Action, input: Record<string, unknown>): Promise<Payload> {
  const response = await stack.app.fetch('http://usergraph.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: QUERY[action], variables: { input } }),
  });
  const body = (await response.json()) as { data?: Record<string, Payload>; errors?: unknown[] };
  expect(JSON.stringify(body.errors)).toBeUndefined();
  return Object.values(body.data ?? {})[0] as Payload;
}

/** Each account as the simulators hold it, and whether it counts as suspended (usergraph's lock counts). */
async function suspendedNow(): Promise<Record<string, boolean>> {
  const states = statesOf(stack.sims, person);
  const out: Record<string, boolean> = {};
  for (const [directory, id] of [
    ['acme', person.acme],
    ['corp', person.corp],
    ['mobile', person.mobile],
  ] as const) {
    const record = await store.suspension(directory, id);
    out[directory] = isSuspended(
      { status: states[directory] as never, passkeys: [], identities: [], sessions: null },
      record,
    );
  }
  return out;
}

function reset(): void {
  store.current = new MemoryActionStore();
  stack.sims.resetAll();
  stack.sims.monocloud.update(person.acme, { disabled: false });
  stack.sims.zitadel.setState(person.corp, 'USER_STATE_ACTIVE');
  stack.sims.appServices.update(person.mobile, { disabled: false });
  // An administrator disabled this account; usergraph must never enable it. (Its linked accounts in the
  // other directories are acted on like anyone's.)
  stack.sims.monocloud.update(bystander.acme, { disabled: true });
  stack.sims.zitadel.setState(bystander.corp, 'USER_STATE_ACTIVE');
  stack.sims.appServices.update(bystander.mobile, { disabled: false });
}

describe('actions on a person, under faults and repeated keys', () => {
  it('end where the last request wanted, write nothing already there, and never resume what usergraph did not suspend', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 5 }), async (steps) => {
        runs += 1;
        reset();
        const sent: { action: Action; key: string; input: Record<string, unknown> }[] = [];
        let last: { action: Action; input: Record<string, unknown> } | null = null;
        for (const [index, each] of steps.entries()) {
          // A reused key names an earlier request: the same input is that request again.
          const earlier = each.key === null ? undefined : sent[each.key];
          const action = earlier?.action ?? each.action;
          const key = earlier?.key ?? `k${index}`;
          const input = earlier?.input ?? {
            userIds: [person.ids[0], bystander.ids[0]],
            reason: `step ${index}`,
            idempotencyKey: key,
            ...(action === 'suspend' ? { revokeSessions: false } : {}),
          };
          sent.push({ action, key, input });
          const before = await suspendedNow();
          stack.sims.resetAll();
          if (each.fault !== null) {
            const sim = stack.sims[each.fault.sim];
            for (const route of WRITE_ROUTES[each.fault.sim])
              sim.inject({ route, fault: each.fault.fault, times: 1 });
          }
          const payload = await run(action, input);
          const made = writesMade(stack.sims);
          // Nothing is written to an account already where the request wants it.
          if (action !== 'signOut') {
            for (const directory of ['acme', 'corp', 'mobile'] as const) {
              const id = person[directory];
              const there = action === 'suspend' ? before[directory] : !before[directory];
              if (there) expect(made[directory]?.filter((call) => call.includes(id))).toEqual([]);
            }
          }
          // The bystander is never enabled.
          expect(stack.sims.monocloud.current(bystander.acme)?.disabled).toBe(true);
          expect(made.acme?.filter((call) => call.includes(`${bystander.acme}/enable`))).toEqual([]);
          // A replay asks for nothing new (it answers an earlier request): the last request is the last one run.
          if (payload.userErrors.length === 0 && !payload.replayed) last = { action, input };
        }
        if (last === null || last.action === 'signOut') return;
        // The last request again, without faults, finishes what it left undone.
        stack.sims.resetAll();
        const final = await run(last.action, last.input);
        const mine = final.accounts.filter((account) => person.ids.includes(account.userId));
        expect(mine.length).toBe(3);
        expect(
          mine.every((account) => account.outcome === 'CHANGED' || account.outcome === 'UNCHANGED'),
        ).toBe(true);
        const now = await suspendedNow();
        expect(now).toEqual({
          acme: last.action === 'suspend',
          corp: last.action === 'suspend',
          mobile: last.action === 'suspend',
        });
        expect(stack.sims.monocloud.current(bystander.acme)?.disabled).toBe(true);
      }),
      { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 28) },
    );
    expect(runs).toBe(RUNS);
  }, 300_000);
});
