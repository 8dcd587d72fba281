import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encodeUserId } from '../../src/directory/global-id.js';
import type { AuditEntry } from '../../src/observability/audit.js';
import { Stack } from '../support/stack.js';
import {
  type Payload,
  type Person,
  peopleEverywhere,
  RESUME,
  SIGN_OUT,
  SUSPEND,
  statesOf,
  writeCount,
  writesMade,
} from './support.js';

// Acting on a person across the three simulators (contract-faithful write state machines): plan, dry
// run, desired state, idempotency keys, partial failure and its completion, resume undoing only
// usergraph's own suspensions, the action log, the audit log.

let stack: Stack;
let people: Person[];
const audit: AuditEntry[] = [];
beforeAll(async () => {
  stack = await Stack.start({
    // Enough people to find many with one account in each directory (each test acts on its own).
    perDirectory: 1000,
    security: { audit: (entry) => audit.push(entry) },
    limits: { perPrincipal: { writesPerMinute: 100_000 } },
    // A write that hangs is given up on quickly (the per-call bound), so the fault tests are short.
    configure: (configs) => configs.map((config) => ({ ...config, timeoutMs: 800 })),
  });
  people = peopleEverywhere(stack.sims);
});
afterAll(() => stack.close());
beforeEach(() => {
  stack.sims.resetAll();
  audit.length = 0;
});

let next = 0;
/** A person no other test has acted on. */
const fresh = () => {
  const person = people[next];
  next += 1;
  if (person === undefined) throw new Error('out of people with accounts in all three directories');
  return person;
};

async function run(query: string, input: Record<string, unknown>): Promise<Payload> {
  const response = await stack.app.fetch('http://usergraph.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables: { input } }),
  });
  const body = (await response.json()) as { data?: Record<string, Payload | null>; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  const payload = Object.values(body.data ?? {})[0];
  if (payload === null || payload === undefined) throw new Error('no payload');
  return payload;
}

const byDirectory = (payload: Payload) =>
  Object.fromEntries(payload.accounts.map((account) => [account.directory, account]));

describe('suspendPerson', () => {
  it('finds the person everywhere, plans without writing, then makes exactly the planned calls', async () => {
    expect(people.length).toBeGreaterThan(8);
    const person = fresh();
    const plan = await run(SUSPEND, {
      userIds: [person.ids[0]],
      reason: 'INC-1 laptop stolen',
      dryRun: true,
    });
    expect(writeCount(stack.sims)).toBe(0);
    expect(plan.dryRun).toBe(true);
    expect(plan.accounts.map((account) => [account.directory, account.outcome]).sort()).toEqual([
      ['acme', 'PLANNED'],
      ['corp', 'PLANNED'],
      ['mobile', 'PLANNED'],
    ]);
    const planned = byDirectory(plan);
    expect(planned.acme?.calls).toEqual([`POST /api/users/${person.acme}/disable`]);
    expect(planned.corp?.calls[0]).toBe(`POST /v2/users/${person.corp}/deactivate`);
    expect(planned.mobile?.calls).toEqual([
      expect.stringMatching(new RegExp(`^PUT /api/admin/v3.0/groups/.+/users/${person.mobile}/disable$`)),
    ]);

    const done = await run(SUSPEND, { userIds: [person.ids[0]], reason: 'INC-1 laptop stolen' });
    expect(done.complete).toBe(true);
    const made = writesMade(stack.sims);
    for (const [directory, account] of Object.entries(byDirectory(done))) {
      expect(account.outcome).toBe('CHANGED');
      expect(account.verified).toBe(true);
      // The plan and the writes are the same list: nothing the dry run did not say.
      expect(made[directory]).toEqual(planned[directory]?.calls);
      expect(account.calls).toEqual(planned[directory]?.calls);
    }
    expect(statesOf(stack.sims, person)).toEqual({ acme: 'DISABLED', corp: 'INACTIVE', mobile: 'DISABLED' });
    expect(byDirectory(done).corp?.statusAfter).toBe('INACTIVE');
  });

  it('is desired state: a second suspension reads, finds everything suspended and writes nothing', async () => {
    const person = fresh();
    await run(SUSPEND, { email: person.email, reason: 'INC-2' });
    stack.sims.resetAll();
    const again = await run(SUSPEND, { email: person.email, reason: 'INC-2 again' });
    expect(again.accounts.map((account) => account.outcome)).toEqual(['UNCHANGED', 'UNCHANGED', 'UNCHANGED']);
    expect(again.complete).toBe(true);
    expect(writeCount(stack.sims)).toBe(0);
  });

  it('an idempotency key answers the first result again, and refuses another request under the same key', async () => {
    const person = fresh();
    const input = { userIds: [person.ids[1]], reason: 'INC-3', idempotencyKey: 'inc-3-suspend' };
    const first = await run(SUSPEND, input);
    stack.sims.resetAll();
    const repeat = await run(SUSPEND, input);
    expect(repeat.replayed).toBe(true);
    expect(repeat.operationId).toBe(first.operationId);
    expect(repeat.accounts).toEqual(first.accounts);
    expect(stack.sims.monocloud.count() + stack.sims.zitadel.count() + stack.sims.appServices.count()).toBe(
      0,
    );
    const other = await run(SUSPEND, { ...input, userIds: [person.ids[2]] });
    expect(other.userErrors).toEqual([
      expect.objectContaining({ code: 'IDEMPOTENCY_KEY_REUSED', field: ['input', 'idempotencyKey'] }),
    ]);
    expect(writeCount(stack.sims)).toBe(0);
  });

  it('a write that timed out after taking effect is read back and counted done, never sent again', async () => {
    const person = fresh();
    stack.sims.zitadel.inject({ route: 'deactivateUser', fault: { type: 'applied-then-hang' }, times: 1 });
    const done = await run(SUSPEND, { userIds: [person.ids[1]], reason: 'INC-4', revokeSessions: false });
    const corp = byDirectory(done).corp;
    expect(corp?.outcome).toBe('CHANGED');
    expect(corp?.statusAfter).toBe('INACTIVE');
    expect(stack.sims.zitadel.count('deactivateUser')).toBe(1);
  });

  it('a partial failure is visible, not rolled back, and the same request again completes only what is missing', async () => {
    const person = fresh();
    stack.sims.zitadel.inject({ route: 'deactivateUser', fault: { type: 'status', status: 503 }, times: 1 });
    const input = {
      userIds: [person.ids[0]],
      reason: 'INC-5',
      idempotencyKey: 'inc-5',
      revokeSessions: false,
    };
    const first = await run(SUSPEND, input);
    expect(first.complete).toBe(false);
    expect(byDirectory(first).corp).toMatchObject({
      outcome: 'FAILED',
      code: 'DIRECTORY_UNAVAILABLE',
      statusAfter: 'ACTIVE',
    });
    expect(byDirectory(first).acme?.outcome).toBe('CHANGED');
    expect(statesOf(stack.sims, person)).toEqual({ acme: 'DISABLED', corp: 'ACTIVE', mobile: 'DISABLED' });
    stack.sims.resetAll();
    const second = await run(SUSPEND, input);
    expect(second.complete).toBe(true);
    expect(second.operationId).toBe(first.operationId);
    expect(writesMade(stack.sims)).toEqual({
      acme: [],
      corp: [`POST /v2/users/${person.corp}/deactivate`],
      mobile: [],
    });
    expect(statesOf(stack.sims, person).corp).toBe('INACTIVE');
  });

  it('locks a ZITADEL user who never finished setting up (INITIAL cannot be deactivated), and resume unlocks it', async () => {
    const record = stack.sims.zitadel.records.find(
      (candidate) => candidate.user.state === 'USER_STATE_INITIAL',
    );
    if (record === undefined) throw new Error('no INITIAL user in the seed');
    const id = encodeUserId('corp', record.user.userId);
    const suspended = await run(SUSPEND, {
      userIds: [id],
      includeLinked: false,
      reason: 'INC-6',
      revokeSessions: false,
    });
    expect(suspended.accounts[0]).toMatchObject({
      outcome: 'CHANGED',
      calls: [`POST /v2/users/${record.user.userId}/lock`],
      statusAfter: 'LOCKED',
    });
    const resumed = await run(RESUME, { userIds: [id], includeLinked: false, reason: 'INC-6 cleared' });
    expect(resumed.accounts[0]).toMatchObject({
      outcome: 'CHANGED',
      calls: [`POST /v2/users/${record.user.userId}/unlock`],
    });
    expect(stack.sims.zitadel.current(record.user.userId)?.user.state).toBe('USER_STATE_ACTIVE');
  });

  it('ends ZITADEL sessions one by one when asked (deactivation leaves them), and reads them gone', async () => {
    const person = people.find(
      (candidate) =>
        stack.sims.zitadel.access.sessionIds(candidate.corp).length > 0 && people.indexOf(candidate) >= next,
    );
    if (person === undefined) throw new Error('no person with ZITADEL sessions');
    people.splice(people.indexOf(person), 1);
    const sessions = stack.sims.zitadel.access.sessionIds(person.corp);
    const done = await run(SUSPEND, { userIds: [person.ids[1]], includeLinked: false, reason: 'INC-7' });
    expect(done.accounts[0]?.calls).toEqual([
      `POST /v2/users/${person.corp}/deactivate`,
      ...sessions.map((session) => `DELETE /v2/sessions/${session}`),
    ]);
    expect(stack.sims.zitadel.access.sessionIds(person.corp)).toEqual([]);
  });
});

describe('the upstream-call budget', () => {
  it('estimates a suspension before it runs, and the calls it makes stay within the estimate', async () => {
    const person = fresh();
    const response = await stack.app.fetch('http://usergraph.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: SUSPEND,
        variables: { input: { userIds: [person.ids[0]], reason: 'INC-budget' } },
        extensions: { cost: true },
      }),
    });
    const body = (await response.json()) as {
      data: { suspendPerson: Payload };
      extensions: { cost: { estimate: Record<string, number>; actual: Record<string, number> } };
    };
    expect(body.data.suspendPerson.complete).toBe(true);
    const { estimate, actual } = body.extensions.cost;
    for (const directory of ['acme', 'corp', 'mobile']) {
      expect(actual[directory]).toBeGreaterThan(0);
      expect(actual[directory]).toBeLessThanOrEqual(estimate[directory] ?? 0);
    }
  });
});

describe('resumePerson', () => {
  it('undoes exactly what usergraph suspended, and leaves an account someone else disabled as it is', async () => {
    const person = fresh();
    await run(SUSPEND, { userIds: [person.ids[0]], reason: 'INC-8', revokeSessions: false });
    // An administrator, in MonoCloud's console, also disables an account usergraph had not touched.
    const other = fresh();
    stack.sims.monocloud.update(other.acme, { disabled: true });
    stack.sims.resetAll();
    const resumed = await run(RESUME, {
      userIds: [person.ids[0], other.ids[0]],
      includeLinked: false,
      reason: 'INC-8 over',
    });
    const outcomes = Object.fromEntries(
      resumed.accounts.map((account) => [account.userId, [account.outcome, account.code]]),
    );
    expect(outcomes[person.ids[0] as string]).toEqual(['CHANGED', null]);
    expect(outcomes[other.ids[0] as string]).toEqual(['SKIPPED', 'NOT_SUSPENDED_BY_USERGRAPH']);
    expect(stack.sims.monocloud.current(other.acme)?.disabled).toBe(true);
    expect(writesMade(stack.sims).acme).toEqual([`POST /api/users/${person.acme}/enable`]);
    // With its linked accounts, the rest of the person comes back too; resuming again changes nothing.
    await run(RESUME, { userIds: [person.ids[0]], reason: 'INC-8 over' });
    expect(statesOf(stack.sims, person)).toEqual({ acme: 'ACTIVE', corp: 'ACTIVE', mobile: 'ACTIVE' });
    stack.sims.resetAll();
    const again = await run(RESUME, { userIds: [person.ids[0]], reason: 'INC-8 over' });
    expect(again.accounts.every((account) => account.outcome === 'UNCHANGED')).toBe(true);
    expect(writeCount(stack.sims)).toBe(0);
  });
});

describe('signOutEverywhere', () => {
  it('ends sessions where they can be listed, logs App Services out, and names MonoCloud’s plan when it refuses', async () => {
    const person = fresh();
    stack.sims.monocloud.access.plan = 'free';
    try {
      const done = await run(SIGN_OUT, { userIds: [person.ids[2]], reason: 'INC-9' });
      const accounts = byDirectory(done);
      expect(accounts.acme).toMatchObject({ outcome: 'FAILED', code: 'PLAN_REQUIRED' });
      expect(accounts.mobile).toMatchObject({ outcome: 'CHANGED', verified: null });
      expect(stack.sims.appServices.logouts.get(person.mobile)).toBe(1);
      expect(accounts.corp?.outcome).toMatch(/^(CHANGED|UNCHANGED)$/);
      expect(stack.sims.zitadel.access.sessionIds(person.corp)).toEqual([]);
      expect(done.complete).toBe(false);
    } finally {
      stack.sims.monocloud.access.plan = 'pro';
    }
  });
});

describe('one account: passkeys, identities, deletion', () => {
  const ACCOUNT = `mutation($passkey: RemovePasskeyInput!) { removePasskey(input: $passkey) { complete accounts { outcome code calls } userErrors { code } } }`;

  it('removes a passkey once (a second request finds it gone), and App Services has none to remove', async () => {
    const user = stack.sims.monocloud.users.find(
      (candidate) => ((candidate.passkeys as unknown[] | undefined) ?? []).length > 0,
    );
    if (user === undefined) throw new Error('no MonoCloud user with a passkey');
    const passkeyId = (user.passkeys as { passkey_id: string }[])[0]?.passkey_id ?? '';
    const input = { userId: encodeUserId('acme', user.user_id), passkeyId, reason: 'lost key' };
    const ask = async (passkey: Record<string, unknown>) => {
      const response = await stack.app.fetch('http://usergraph.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: ACCOUNT, variables: { passkey } }),
      });
      return ((await response.json()) as { data: { removePasskey: Payload } }).data.removePasskey;
    };
    const first = await ask(input);
    expect(first.accounts[0]).toMatchObject({
      outcome: 'CHANGED',
      calls: [`DELETE /api/users/${user.user_id}/passkeys/${encodeURIComponent(passkeyId)}`],
    });
    expect(await ask(input)).toMatchObject({
      complete: true,
      accounts: [{ outcome: 'UNCHANGED', calls: [] }],
    });
    const mobile = stack.sims.appServices.records[0]?._id ?? '';
    expect((await ask({ ...input, userId: encodeUserId('mobile', mobile) })).accounts[0]).toMatchObject({
      outcome: 'UNSUPPORTED',
      code: 'UNSUPPORTED_BY_PROVIDER',
    });
  });

  it('deletes only a suspended account, and only when `confirm` repeats its id', async () => {
    const person = fresh();
    const DELETE = `mutation($input: DeleteAccountInput!) { deleteAccount(input: $input) { complete accounts { outcome code calls } userErrors { code field } } }`;
    const ask = async (input: Record<string, unknown>) => {
      const response = await stack.app.fetch('http://usergraph.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: DELETE, variables: { input } }),
      });
      return ((await response.json()) as { data: { deleteAccount: Payload } }).data.deleteAccount;
    };
    const id = person.ids[1] as string;
    expect((await ask({ userId: id, confirm: 'yes', reason: 'offboarding' })).userErrors).toEqual([
      { code: 'CONFIRMATION_REQUIRED', field: ['input', 'confirm'] },
    ]);
    expect((await ask({ userId: id, confirm: id, reason: 'offboarding' })).accounts[0]).toMatchObject({
      outcome: 'FAILED',
      code: 'SUSPEND_FIRST',
    });
    expect(writeCount(stack.sims)).toBe(0);
    await run(SUSPEND, { userIds: [id], includeLinked: false, reason: 'offboarding' });
    const deleted = await ask({ userId: id, confirm: id, reason: 'offboarding' });
    expect(deleted.accounts[0]).toMatchObject({
      outcome: 'CHANGED',
      calls: [`DELETE /v2/users/${person.corp}`],
    });
    expect(stack.sims.zitadel.current(person.corp)).toBeUndefined();
  });
});

describe('the audit log', () => {
  it('holds every action, dry runs included, with the reason and each account’s outcome and calls', async () => {
    const person = fresh();
    await run(SUSPEND, { userIds: [person.ids[2]], reason: 'INC-10 dry', dryRun: true });
    await run(SUSPEND, { userIds: [person.ids[2]], reason: 'INC-10' });
    const actions = audit.flatMap((entry) => entry.actions ?? []);
    expect(actions.map((action) => [action.action, action.dryRun, action.reason])).toEqual([
      ['suspend', true, 'INC-10 dry'],
      ['suspend', false, 'INC-10'],
    ]);
    expect(actions[1]?.accounts.map((account) => account.outcome)).toEqual(['CHANGED', 'CHANGED', 'CHANGED']);
    expect(actions[1]?.accounts.every((account) => account.calls.length > 0)).toBe(true);
    // No value read from a directory: ids, outcomes and routes only.
    expect(JSON.stringify(audit)).not.toContain(person.email);
  });
});
