import { createHash, randomUUID } from 'node:crypto';
import type { AccountOutcome } from '../actions/action-audit.js';
import type { ActionServices, SuspensionRecord } from '../actions/action-store.js';
import { withCacheBypass } from '../cache/cached-provider.js';
import { codeFor } from '../codes/failure-codes.js';
import { CODE, type PublicCode } from '../codes/public-codes.js';
import { normalizeEmail } from '../directory/filter.js';
import { decodeUserId, encodeUserId } from '../directory/global-id.js';
import {
  type AccountFacts,
  type AccountLifecycle,
  type ActionInput,
  isSuspended,
  type LifecycleAction,
  MAX_ACCOUNTS_PER_ACTION,
  type PlannedCall,
  reached,
} from '../directory/lifecycle.js';
import type { User, UserStatus } from '../directory/model.js';
import type { CallOptions, DirectoryProvider } from '../directory/port.js';
import type { Context } from '../graphql/context.js';
import { canLookUpEmails } from './email-accounts.js';

// Acting on a person: every account the caller named, and (for suspend, resume and sign-out) the
// same person's accounts in the other directories it may act on, found as `linkedAccounts` finds them
// (verified addresses on both sides). Desired state, per account: read, plan, write only what differs,
// read again; directories in parallel, an account's steps in order. No rollback: a half-suspended
// person is safer than an active one, and a retry with the same idempotency key completes what is
// missing (what is done already plans no call).

/** Accounts one request may name. */
export const MAX_ACTION_IDS = 50;
/** Characters of `reason` kept (the audit log quotes it). */
export const MAX_REASON = 500;
/** Characters of an idempotency key. */
export const MAX_KEY = 200;

export interface AccountResult {
  readonly userId: string;
  readonly directory: string;
  readonly provider: DirectoryProvider['provider'] | null;
  readonly outcome: AccountOutcome;
  /** For FAILED, SKIPPED and UNSUPPORTED: the public code. */
  readonly code: PublicCode | null;
  readonly message: string | null;
  /** The writes planned (dry run) or made, as `METHOD path`. */
  readonly calls: readonly string[];
  readonly statusBefore: UserStatus | null;
  readonly statusAfter: UserStatus | null;
  /** Whether the state read back showed the wanted state (null: the directory cannot show it). */
  readonly verified: boolean | null;
}

export interface UserError {
  readonly code: PublicCode;
  readonly message: string;
  /** The input field it is about, as a path (`["input", "userIds", "3"]`). */
  readonly field: readonly string[];
}

export interface ActionPayload {
  readonly action: LifecycleAction;
  readonly operationId: string;
  readonly dryRun: boolean;
  /** True when this is the stored answer to an earlier request with the same idempotency key. */
  readonly replayed: boolean;
  readonly accounts: readonly AccountResult[];
  /** Directories the person's other accounts could not be looked up in (their accounts are unknown). */
  readonly lookupFailures: readonly {
    readonly directory: string;
    readonly code: PublicCode;
    readonly message: string;
  }[];
  /** Every account is where the action wants it (CHANGED or UNCHANGED), and every lookup answered. */
  readonly complete: boolean;
  readonly userErrors: readonly UserError[];
}

export interface ActionRequest {
  readonly action: LifecycleAction;
  readonly userIds: readonly string[];
  readonly email: string | null;
  readonly reason: string;
  readonly dryRun: boolean;
  readonly idempotencyKey: string | null;
  /** Suspend, resume and sign-out act on linked accounts too, unless the caller says not to. */
  readonly includeLinked: boolean;
  readonly revokeSessions: boolean;
  readonly passkeyId: string | null;
  readonly identity: { readonly provider: string; readonly providerUserId: string } | null;
  /** Delete: must repeat the account's id. */
  readonly confirm: string | null;
}

const userError = (code: PublicCode, message: string, ...field: string[]): UserError => ({
  code,
  message,
  field: ['input', ...field],
});

/** Runs (or plans) one action request end to end, and records it for the audit log. */
export async function runAction(
  ctx: Context,
  services: ActionServices,
  request: ActionRequest,
): Promise<ActionPayload> {
  const payload = await answer(ctx, services, request);
  ctx.actions.push({
    action: payload.action,
    reason: request.reason.slice(0, MAX_REASON),
    dryRun: payload.dryRun,
    operationId: payload.operationId,
    replayed: payload.replayed,
    accounts: payload.accounts.map((account) => ({
      directory: account.directory,
      userId: account.userId,
      outcome: account.outcome,
      code: account.code,
      calls: account.calls,
    })),
    userErrors: payload.userErrors.map((error) => error.code),
  });
  return payload;
}

async function answer(
  ctx: Context,
  services: ActionServices,
  request: ActionRequest,
): Promise<ActionPayload> {
  const refused = (errors: UserError[]): ActionPayload => ({
    action: request.action,
    operationId: '',
    dryRun: request.dryRun,
    replayed: false,
    accounts: [],
    lookupFailures: [],
    complete: false,
    userErrors: errors,
  });
  const problems = checkInput(request);
  if (problems.length > 0) return refused(problems);
  if (!services.store.ready) {
    return refused([
      userError(
        CODE.ACTION_LOG_UNAVAILABLE,
        'The action log (Redis) is unreachable: no write is made without its record. Try again shortly.',
      ),
    ]);
  }
  // A dry run writes nothing, so it needs no key; a key is the caller's and no one else's.
  const key =
    request.idempotencyKey === null || request.dryRun
      ? null
      : sha256(`${ctx.principal.kind}:${ctx.principal.subject}\u0000${request.idempotencyKey}`);
  const fingerprint = sha256(JSON.stringify({ ...request, idempotencyKey: null }));
  let operationId: string = randomUUID();
  if (key !== null) {
    const claim = await services.store.claim(key, fingerprint, 60_000);
    if (claim.kind === 'mismatch') {
      return refused([
        userError(
          CODE.IDEMPOTENCY_KEY_REUSED,
          'This idempotency key was used for a different request; use a new key.',
          'idempotencyKey',
        ),
      ]);
    }
    if (claim.kind === 'running') {
      return refused([
        userError(
          CODE.IDEMPOTENCY_KEY_IN_USE,
          'A request with this idempotency key is still running; ask again once it has answered.',
          'idempotencyKey',
        ),
      ]);
    }
    if (claim.kind === 'done') {
      const first = claim.result as ActionPayload;
      // A result with every account where it should be is the answer; one with failures is retried:
      // what is done plans no call, what failed is tried again.
      if (first.complete) return { ...first, replayed: true };
      operationId = first.operationId;
      await services.store.release(key);
      const again = await services.store.claim(key, fingerprint, 60_000);
      if (again.kind !== 'claimed') return { ...first, replayed: true };
    }
  }
  try {
    const payload = await act(ctx, services, request, operationId);
    if (key !== null) await services.store.finish(key, fingerprint, payload, services.keepMs);
    return payload;
  } catch (error) {
    if (key !== null) await services.store.release(key).catch(() => undefined);
    throw error;
  }
}

function checkInput(request: ActionRequest): UserError[] {
  const errors: UserError[] = [];
  const single =
    request.action === 'removePasskey' || request.action === 'removeIdentity' || request.action === 'delete';
  if (request.reason.trim() === '')
    errors.push(userError(CODE.BAD_USER_INPUT, 'Say why: `reason` is empty.', 'reason'));
  if (request.reason.length > MAX_REASON) {
    errors.push(
      userError(CODE.BAD_USER_INPUT, `\`reason\` is longer than ${MAX_REASON} characters.`, 'reason'),
    );
  }
  if (
    request.idempotencyKey !== null &&
    (request.idempotencyKey === '' || request.idempotencyKey.length > MAX_KEY)
  ) {
    errors.push(
      userError(
        CODE.BAD_USER_INPUT,
        `\`idempotencyKey\` must be 1 to ${MAX_KEY} characters.`,
        'idempotencyKey',
      ),
    );
  }
  if (!single && request.userIds.length > 0 === (request.email !== null)) {
    errors.push(
      userError(
        CODE.BAD_USER_INPUT,
        'Name the person by `userIds` or by `email`, not both, and not neither.',
      ),
    );
  }
  if (request.userIds.length > MAX_ACTION_IDS) {
    errors.push(userError(CODE.BAD_USER_INPUT, `At most ${MAX_ACTION_IDS} ids per request.`, 'userIds'));
  }
  request.userIds.slice(0, MAX_ACTION_IDS).forEach((id, index) => {
    const ref = decodeUserId(id);
    if (typeof ref === 'string')
      errors.push(userError(CODE.BAD_USER_INPUT, `This id ${ref}.`, 'userIds', String(index)));
  });
  if (request.email !== null && (request.email.length > 254 || !request.email.includes('@'))) {
    errors.push(userError(CODE.BAD_USER_INPUT, '`email` is not an email address.', 'email'));
  }
  if (request.action === 'delete' && request.confirm !== request.userIds[0]) {
    errors.push(
      userError(
        CODE.CONFIRMATION_REQUIRED,
        'Deleting cannot be undone: repeat the account’s id in `confirm`.',
        'confirm',
      ),
    );
  }
  return errors;
}

interface Target {
  readonly user: User | null;
  readonly directory: string;
  readonly localId: string;
}

async function act(
  ctx: Context,
  services: ActionServices,
  request: ActionRequest,
  operationId: string,
): Promise<ActionPayload> {
  const lookupFailures: ActionPayload['lookupFailures'][number][] = [];
  const targets = await findPerson(ctx, request, lookupFailures);
  if (targets.length > MAX_ACCOUNTS_PER_ACTION) {
    return {
      action: request.action,
      operationId,
      dryRun: request.dryRun,
      replayed: false,
      accounts: [],
      lookupFailures,
      complete: false,
      userErrors: [
        userError(
          CODE.TOO_MANY_ACCOUNTS,
          `This finds ${targets.length} accounts; one request acts on at most ${MAX_ACCOUNTS_PER_ACTION}. Name them by userIds with includeLinked: false, a few per request.`,
        ),
      ],
    };
  }
  const options: CallOptions = { ...ctx.call, context: withCacheBypass(ctx.call.context) };
  // Directories in parallel; one directory's accounts one after another (writes are few per person).
  const byDirectory = new Map<string, Target[]>();
  for (const target of targets)
    byDirectory.set(target.directory, [...(byDirectory.get(target.directory) ?? []), target]);
  const results = await Promise.all(
    [...byDirectory.values()].map(async (inDirectory) => {
      const done: AccountResult[] = [];
      for (const target of inDirectory)
        done.push(await actOn(ctx, services, request, target, operationId, options));
      return done;
    }),
  );
  const accounts = results.flat();
  const finished = accounts.every(
    (account) => account.outcome === 'CHANGED' || account.outcome === 'UNCHANGED',
  );
  return {
    action: request.action,
    operationId,
    dryRun: request.dryRun,
    replayed: false,
    accounts,
    lookupFailures,
    complete: !request.dryRun && finished && lookupFailures.length === 0,
    userErrors:
      targets.length === 0 && lookupFailures.length === 0
        ? [userError(CODE.ACCOUNT_NOT_FOUND, 'No account in the directories you may act on matches.')]
        : [],
  };
}

/** The accounts the request names, and (where the action reaches a person) their linked accounts. */
async function findPerson(
  ctx: Context,
  request: ActionRequest,
  failures: ActionPayload['lookupFailures'][number][],
): Promise<Target[]> {
  const targets = new Map<string, Target>();
  const add = (target: Target) => {
    const key = `${target.directory}\u0000${target.localId}`;
    if (!targets.has(key)) targets.set(key, target);
  };
  const emails = new Set<string>();
  if (request.email !== null) emails.add(normalizeEmail(request.email));
  await Promise.all(
    request.userIds.map(async (id) => {
      const ref = decodeUserId(id);
      if (typeof ref === 'string') return;
      const directory = ctx.directories.get(ref.directory);
      // Named by the caller: a directory it may not act on is SKIPPED (it named it), never looked into.
      if (directory === undefined) {
        add({ user: null, directory: ref.directory, localId: ref.localId });
        return;
      }
      try {
        const user = await ctx.loaders.user(directory).load(ref.localId);
        add({ user, directory: ref.directory, localId: ref.localId });
        if (user !== null && request.includeLinked) {
          for (const email of user.emails) if (email.verified) emails.add(normalizeEmail(email.address));
        }
      } catch (error) {
        add({ user: null, directory: ref.directory, localId: ref.localId });
        failures.push(lookupFailure(ref.directory, error));
      }
    }),
  );
  const reachesPerson =
    request.action === 'suspend' || request.action === 'resume' || request.action === 'signOut';
  if (emails.size > 0 && (reachesPerson || request.email !== null)) {
    await Promise.all(
      ctx.directories.providers.filter(canLookUpEmails).map(async (directory) => {
        try {
          const found = await ctx.loaders.emails(directory).loadMany([...emails]);
          for (const [index, users] of found.entries()) {
            if (users instanceof Error) throw users;
            const email = [...emails][index] as string;
            for (const user of users ?? []) {
              // Verified on this side too: an address anyone can claim unverified links no one.
              const held = user.emails.find((candidate) => normalizeEmail(candidate.address) === email);
              if (held?.verified) add({ user, directory: user.directory, localId: user.localId });
            }
          }
        } catch (error) {
          failures.push(lookupFailure(directory.name, error));
        }
      }),
    );
  }
  for (const target of targets.values()) if (target.user !== null) ctx.read.user(target.user);
  return [...targets.values()];
}

function lookupFailure(directory: string, error: unknown) {
  const cause = (error as { cause?: unknown }).cause ?? error;
  return {
    directory,
    code: codeFor(cause),
    message: `Directory "${directory}" could not be searched for this person.`,
  };
}

async function actOn(
  ctx: Context,
  services: ActionServices,
  request: ActionRequest,
  target: Target,
  operationId: string,
  options: CallOptions,
): Promise<AccountResult> {
  const userId = encodeUserId(target.directory, target.localId);
  const directory = ctx.directories.get(target.directory);
  const base = {
    userId,
    directory: target.directory,
    provider: directory?.provider ?? null,
    calls: [] as string[],
    statusBefore: target.user?.status ?? null,
    statusAfter: null,
    verified: null,
  };
  const result = (
    outcome: AccountOutcome,
    code: PublicCode | null,
    message: string | null,
    more: Partial<AccountResult> = {},
  ): AccountResult => ({
    ...base,
    outcome,
    code,
    message,
    ...more,
  });
  if (directory === undefined) {
    return result(
      'SKIPPED',
      CODE.FORBIDDEN,
      ctx.directories.isWithheld(target.directory)
        ? `Not allowed to act on directory "${target.directory}".`
        : `Directory "${target.directory}" is not configured here.`,
    );
  }
  const lifecycle = directory.lifecycle;
  if (lifecycle === undefined)
    return result('UNSUPPORTED', CODE.UNSUPPORTED_BY_PROVIDER, 'This directory is read-only here.');
  const unsupported = lifecycle.unsupported[request.action];
  if (unsupported !== undefined)
    return result('UNSUPPORTED', CODE.UNSUPPORTED_BY_PROVIDER, `${unsupported}.`);
  const ours = await services.store.suspension(target.directory, target.localId);
  const input: ActionInput = {
    revokeSessions: request.revokeSessions,
    ...(request.passkeyId === null ? {} : { passkeyId: request.passkeyId }),
    ...(request.identity === null ? {} : { identity: request.identity }),
    ...(ours === null ? {} : { suspension: ours }),
  };
  let facts: AccountFacts | null;
  try {
    facts = await readFacts(directory, lifecycle, target.localId, request.action, input, options);
  } catch (error) {
    return failed(result, error, 'Could not read the account before acting.');
  }
  if (facts === null) {
    return request.action === 'delete'
      ? result('UNCHANGED', null, 'The account does not exist (any more).', { verified: true })
      : result('FAILED', CODE.ACCOUNT_NOT_FOUND, 'The directory has no such account.');
  }
  const before = { statusBefore: facts.status };
  if (request.action === 'resume' && ours === null && isSuspended(facts, null)) {
    // Suspended, but not by usergraph: a resume never enables what someone else disabled.
    return result(
      'SKIPPED',
      CODE.NOT_SUSPENDED_BY_USERGRAPH,
      'Suspended, but not by usergraph: left as it is.',
      before,
    );
  }
  if (request.action === 'delete' && !isSuspended(facts, ours)) {
    return result('FAILED', CODE.SUSPEND_FIRST, 'Suspend the account before deleting it.', before);
  }
  const calls = lifecycle.plan(request.action, target.localId, facts, input);
  const shown = calls.map(describe);
  if (request.dryRun) return result('PLANNED', null, null, { ...before, calls: shown });
  if (calls.length === 0) {
    if (request.action === 'resume' && ours !== null)
      await services.store.clearSuspension(target.directory, target.localId);
    return result('UNCHANGED', null, null, { ...before, statusAfter: facts.status, verified: true });
  }
  // What a suspension made of this account, for the action log (and for deciding it is suspended).
  const suspension: SuspensionRecord | null =
    request.action === 'suspend' && !isSuspended(facts, ours)
      ? { ...lifecycle.suspension(facts), operationId, at: Date.now() }
      : ours;
  let failure: unknown = null;
  const made: string[] = [];
  for (const call of calls) {
    try {
      await lifecycle.send(call, options);
      made.push(describe(call));
    } catch (error) {
      // A write that failed may still have been applied (a timeout after the directory acted): the
      // read below decides. Nothing is sent again without reading first.
      failure = error;
      made.push(describe(call));
      break;
    }
  }
  let after: AccountFacts | null | undefined;
  try {
    after = await readFacts(directory, lifecycle, target.localId, request.action, input, options);
  } catch {
    after = undefined;
  }
  const verifiable = request.action !== 'signOut' || after?.sessions !== null;
  const arrived = after !== undefined && reached(request.action, after, input, suspension);
  const statusAfter = after === undefined ? null : (after?.status ?? null);
  await keepLog(services, request.action, target, suspension, ours, arrived, after);
  if (arrived || (failure === null && !verifiable)) {
    return result(
      'CHANGED',
      null,
      failure === null ? null : 'The directory answered with an error, but the account reads as wanted.',
      {
        ...before,
        calls: made,
        statusAfter,
        verified: verifiable ? true : null,
      },
    );
  }
  if (failure === null) {
    return result(
      'FAILED',
      CODE.ACTION_NOT_CONFIRMED,
      'The writes were accepted, but the account does not read as wanted yet.',
      {
        ...before,
        calls: made,
        statusAfter,
        verified: false,
      },
    );
  }
  return failed(
    result,
    failure,
    'The directory refused or did not answer; the account does not read as wanted.',
    {
      ...before,
      calls: made,
      statusAfter,
      verified: after === undefined ? null : false,
    },
  );
}

/** What the action log keeps after an account's writes. */
async function keepLog(
  services: ActionServices,
  action: LifecycleAction,
  target: Target,
  suspension: SuspensionRecord | null,
  ours: SuspensionRecord | null,
  arrived: boolean,
  after: AccountFacts | null | undefined,
): Promise<void> {
  if (
    action === 'suspend' &&
    suspension !== null &&
    suspension !== ours &&
    after &&
    isSuspended(after, suspension)
  ) {
    await services.store.recordSuspension(target.directory, target.localId, suspension);
  }
  if ((action === 'resume' || action === 'delete') && arrived && ours !== null) {
    await services.store.clearSuspension(target.directory, target.localId);
  }
}

function failed(
  result: (
    outcome: AccountOutcome,
    code: PublicCode | null,
    message: string | null,
    more?: Partial<AccountResult>,
  ) => AccountResult,
  error: unknown,
  message: string,
  more: Partial<AccountResult> = {},
): AccountResult {
  return result('FAILED', codeFor(error), message, more);
}

function describe(call: PlannedCall): string {
  return `${call.method} ${call.path}`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/**
 * An account's facts through the port, past any cache (`options` carry the bypass), or null when the
 * directory has no such account. Only what `action` decides on is read: passkeys for removePasskey,
 * identities for removeIdentity, sessions where the directory says so.
 */
export async function readFacts(
  directory: DirectoryProvider,
  lifecycle: AccountLifecycle,
  localId: string,
  action: LifecycleAction,
  input: ActionInput,
  options: CallOptions,
): Promise<AccountFacts | null> {
  const [user] = lifecycle.readUser
    ? [await lifecycle.readUser(localId, options)]
    : await directory.getUsers([localId], options);
  if (user instanceof Error) throw user;
  if (user === null || user === undefined) return null;
  let passkeys: readonly string[] = [];
  if (action === 'removePasskey') {
    const found = directory.getPasskeys
      ? (await directory.getPasskeys([localId], options))[0]
      : 'passkeys' in user
        ? user.passkeys
        : [];
    if (found instanceof Error) throw found;
    passkeys = (found ?? []).map((passkey) => passkey.id);
  }
  let identities: AccountFacts['identities'] = [];
  if (action === 'removeIdentity') {
    const found = directory.getIdentities
      ? (await directory.getIdentities([localId], options))[0]
      : 'identities' in user
        ? user.identities
        : [];
    if (found instanceof Error) throw found;
    identities = (found ?? []).map(({ provider, providerUserId }) => ({ provider, providerUserId }));
  }
  let sessions: readonly string[] | null = null;
  if (lifecycle.readsSessions(action, input) && directory.getUserSessions) {
    const found = (await directory.getUserSessions([localId], options))[0];
    if (found instanceof Error) throw found;
    sessions = (found ?? []).map((session) => session.id);
  }
  return { status: user.status, passkeys, identities, sessions };
}
