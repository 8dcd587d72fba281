import type { Scope } from '../auth/scopes.js';
import { personAction } from '../cost/field-costs.js';
import type { LifecycleAction } from '../directory/lifecycle.js';
import { builder, costs, needs } from '../graphql/builder.js';
import {
  type AccountResult,
  type ActionPayload,
  type ActionRequest,
  runAction,
  type UserError,
} from '../use-cases/person-actions.js';
import { DirectoryProviderEnum, PROVIDER_ENUM } from './directory.js';
import { UserStatusEnum } from './user.js';

// Acting on a person across every directory (docs/actions.md): suspend, resume, sign out everywhere,
// remove a passkey or a linked identity, delete. Each mutation takes one input object and answers a
// payload: the accounts it touched (or, in a dry run, would touch) with each one's outcome and the
// writes made, and `userErrors` for what the caller got wrong. Expected outcomes are data, never
// exceptions; a missing scope is FORBIDDEN as for reads.

const PersonActionEnum = builder.enumType('PersonAction', {
  description: 'What a mutation does to an account.',
  values: {
    SUSPEND: { value: 'suspend', description: 'Disable (ZITADEL: deactivate, or lock an INITIAL user).' },
    RESUME: { value: 'resume', description: 'Undo a suspension usergraph made, exactly as it was made.' },
    SIGN_OUT: { value: 'signOut', description: 'End every session.' },
    REMOVE_PASSKEY: { value: 'removePasskey', description: 'Remove one passkey.' },
    REMOVE_IDENTITY: { value: 'removeIdentity', description: 'Unlink one identity (an IdP link).' },
    DELETE: { value: 'delete', description: 'Delete the account.' },
  } as const,
});

const ActionOutcomeEnum = builder.enumType('ActionOutcome', {
  description: 'How one account came out of an action.',
  values: {
    PLANNED: { description: 'Dry run: `calls` are the writes a real request would make now.' },
    CHANGED: { description: 'Written, and read back in the wanted state.' },
    UNCHANGED: { description: 'Already in the wanted state: no write was made.' },
    UNSUPPORTED: { description: 'The directory cannot do this (`message` says why).' },
    FAILED: { description: 'Not in the wanted state: `code` says why; the same request again completes it.' },
    SKIPPED: {
      description:
        'Left alone on purpose: a directory the caller may not act on (FORBIDDEN), or an account usergraph did not suspend (NOT_SUSPENDED_BY_USERGRAPH).',
    },
  } as const,
});

const AccountResultType = builder.objectRef<AccountResult>('AccountActionResult').implement({
  description: 'One account an action touched, or would touch.',
  fields: (t) => ({
    userId: t.exposeID('userId', { description: 'The account’s global id.' }),
    directory: t.exposeString('directory', { description: 'The directory’s configured name.' }),
    provider: t.field({
      type: DirectoryProviderEnum,
      nullable: true,
      description: 'The directory’s product; null for a directory not configured here.',
      resolve: (result) => (result.provider === null ? null : PROVIDER_ENUM[result.provider]),
    }),
    outcome: t.field({
      type: ActionOutcomeEnum,
      description: 'How the account came out of the action.',
      resolve: (result) => result.outcome,
    }),
    code: t.exposeString('code', {
      nullable: true,
      description: 'For FAILED, SKIPPED and UNSUPPORTED: the public code (docs/errors.md).',
    }),
    message: t.exposeString('message', { nullable: true, description: 'What happened, in words.' }),
    calls: t.exposeStringList('calls', {
      description: 'The writes made (or, in a dry run, planned), as `METHOD path`; reads are not listed.',
    }),
    statusBefore: t.field({
      type: UserStatusEnum,
      nullable: true,
      description: 'The account’s state read before acting.',
      resolve: (result) => result.statusBefore,
    }),
    statusAfter: t.field({
      type: UserStatusEnum,
      nullable: true,
      description: 'The state read back after the writes (null: not read, or the account is gone).',
      resolve: (result) => result.statusAfter,
    }),
    verified: t.exposeBoolean('verified', {
      nullable: true,
      description:
        'Whether reading back showed the wanted state; null where the directory cannot show it (App Services sessions).',
    }),
  }),
});

const LookupFailureType = builder
  .objectRef<ActionPayload['lookupFailures'][number]>('ActionLookupFailure')
  .implement({
    description:
      'A directory the person’s other accounts could not be looked up in: its accounts are unknown.',
    fields: (t) => ({
      directory: t.exposeString('directory', { description: 'The directory’s configured name.' }),
      code: t.exposeString('code', { description: 'The public code of its failure (docs/errors.md).' }),
      message: t.exposeString('message', { description: 'What went wrong, in words.' }),
    }),
  });

export const UserErrorType = builder.objectRef<UserError>('UserError').implement({
  description: 'A mistake in the input (or a request that cannot run now), and where it is.',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'The public code (docs/errors.md).' }),
    message: t.exposeString('message', { description: 'What is wrong, and what to do.' }),
    field: t.exposeStringList('field', { description: 'The input path, e.g. `["input", "userIds", "3"]`.' }),
  }),
});

const PayloadType = builder.objectRef<ActionPayload>('PersonActionPayload').implement({
  description: 'What an action did (or, in a dry run, would do) to every account of the person.',
  fields: (t) => ({
    action: t.field({
      type: PersonActionEnum,
      description: 'The action asked for.',
      resolve: (payload) => payload.action,
    }),
    operationId: t.exposeID('operationId', {
      description: 'This action’s id in the audit log (the first request’s, for a repeated idempotency key).',
    }),
    dryRun: t.exposeBoolean('dryRun', { description: 'Planned only: nothing was written.' }),
    replayed: t.exposeBoolean('replayed', {
      description: 'This is the stored answer of an earlier request with the same idempotency key.',
    }),
    complete: t.exposeBoolean('complete', {
      description: 'Every account is in the wanted state and every directory answered the lookup.',
    }),
    accounts: t.field({
      type: [AccountResultType],
      description: 'Every account of the person the action reached, with its outcome.',
      resolve: (payload) => payload.accounts,
    }),
    lookupFailures: t.field({
      type: [LookupFailureType],
      description:
        'Directories where the person could not be looked up: their accounts, if any, were not acted on.',
      resolve: (payload) => payload.lookupFailures,
    }),
    userErrors: t.field({
      type: [UserErrorType],
      description: 'What the caller got wrong, or why the request cannot run now; empty when it ran.',
      resolve: (payload) => payload.userErrors,
    }),
  }),
});

const personFields = {
  reason: 'Why (kept in the audit log with the principal; at most 500 characters).',
  dryRun: 'Plan only: read the accounts and answer the writes a real request would make, writing nothing.',
  idempotencyKey:
    'Repeating a request with the same key answers the first result (a partly failed one is completed); the same key with another input is refused. Kept for `actions.idempotencySeconds`.',
} as const;

const PersonInput = (name: string, description: string, extra: 'revokeSessions' | null) =>
  builder.inputType(name, {
    description,
    fields: (t) => ({
      userIds: t.idList({
        required: false,
        description:
          'The person’s accounts by global id (at most 50); their linked accounts join unless `includeLinked` is false.',
      }),
      email: t.string({
        required: false,
        description: 'Or the person by an email address: every account holding it verified.',
      }),
      includeLinked: t.boolean({
        required: false,
        defaultValue: true,
        description:
          'Also act on the same person’s accounts in other directories (linked by verified addresses).',
      }),
      reason: t.string({ description: personFields.reason }),
      dryRun: t.boolean({ required: false, defaultValue: false, description: personFields.dryRun }),
      idempotencyKey: t.string({ required: false, description: personFields.idempotencyKey }),
      ...(extra === 'revokeSessions'
        ? {
            revokeSessions: t.boolean({
              required: false,
              defaultValue: true,
              description: 'Also end the accounts’ sessions (App Services ends them with any suspension).',
            }),
          }
        : {}),
    }),
  });

const SuspendInput = PersonInput('SuspendPersonInput', 'Who to suspend, and why.', 'revokeSessions');
const ResumeInput = PersonInput('ResumePersonInput', 'Who to resume, and why.', null);
const SignOutInput = PersonInput('SignOutEverywhereInput', 'Who to sign out, and why.', null);

const AccountInput = (name: string, description: string, more: 'passkey' | 'identity' | 'confirm') =>
  builder.inputType(name, {
    description,
    fields: (t) => ({
      userId: t.id({ description: 'The account’s global id.' }),
      ...(more === 'passkey'
        ? { passkeyId: t.string({ description: 'The passkey’s id (`Passkey.id`).' }) }
        : {}),
      ...(more === 'identity'
        ? {
            provider: t.string({ description: 'The identity’s provider (`Identity.provider`).' }),
            providerUserId: t.string({ description: 'The user’s id there (`Identity.providerUserId`).' }),
          }
        : {}),
      ...(more === 'confirm'
        ? { confirm: t.string({ description: 'The account’s global id again: deleting cannot be undone.' }) }
        : {}),
      reason: t.string({ description: personFields.reason }),
      dryRun: t.boolean({ required: false, defaultValue: false, description: personFields.dryRun }),
      idempotencyKey: t.string({ required: false, description: personFields.idempotencyKey }),
    }),
  });

const RemovePasskeyInput = AccountInput('RemovePasskeyInput', 'Which passkey to remove, and why.', 'passkey');
const RemoveIdentityInput = AccountInput(
  'RemoveIdentityInput',
  'Which linked identity to remove, and why.',
  'identity',
);
const DeleteInput = AccountInput('DeleteAccountInput', 'Which account to delete, and why.', 'confirm');

/** The input of any of the mutations, as coerced. */
interface AnyInput {
  readonly userIds?: readonly (string | number)[] | null;
  readonly userId?: string | number;
  readonly email?: string | null;
  readonly includeLinked?: boolean | null;
  readonly reason: string;
  readonly dryRun?: boolean | null;
  readonly idempotencyKey?: string | null;
  readonly revokeSessions?: boolean | null;
  readonly passkeyId?: string;
  readonly provider?: string;
  readonly providerUserId?: string;
  readonly confirm?: string;
}

function request(action: LifecycleAction, input: AnyInput): ActionRequest {
  const ids = input.userId === undefined ? (input.userIds ?? []) : [input.userId];
  return {
    action,
    userIds: ids.map(String),
    email: input.email ?? null,
    reason: input.reason,
    dryRun: input.dryRun === true,
    idempotencyKey: input.idempotencyKey ?? null,
    includeLinked: input.includeLinked !== false,
    revokeSessions: input.revokeSessions !== false && action === 'suspend',
    passkeyId: input.passkeyId ?? null,
    identity:
      input.provider === undefined || input.providerUserId === undefined
        ? null
        : { provider: input.provider, providerUserId: input.providerUserId },
    confirm: input.confirm ?? null,
  };
}

builder.mutationType({
  description:
    'Acting on people across every directory: planned (dryRun), desired-state, idempotent (idempotencyKey), audited. docs/actions.md.',
});

const mutation = (
  action: LifecycleAction,
  scope: Scope,
  input: ReturnType<typeof PersonInput> | ReturnType<typeof AccountInput>,
  reachesLinked: boolean,
  description: string,
) =>
  builder.mutationField(
    action === 'suspend'
      ? 'suspendPerson'
      : action === 'resume'
        ? 'resumePerson'
        : action === 'signOut'
          ? 'signOutEverywhere'
          : action === 'delete'
            ? 'deleteAccount'
            : action,
    (t) =>
      t.field({
        ...costs(personAction(action, reachesLinked)),
        ...needs(scope),
        type: PayloadType,
        nullable: true,
        description,
        args: { input: t.arg({ type: input }) },
        resolve: (_root, args, ctx) =>
          runAction(ctx, ctx.actionServices, request(action, args.input as AnyInput)),
      }),
  );

mutation(
  'suspend',
  'users:write:suspend',
  SuspendInput,
  true,
  'Suspends a person in every directory: each account disabled (ZITADEL deactivated; an INITIAL user locked) unless it is already, and with `revokeSessions` its sessions ended. Needs `users:write:suspend`.',
);
mutation(
  'resume',
  'users:write:suspend',
  ResumeInput,
  true,
  'Undoes the suspensions usergraph made (its action log says which), exactly as they were made; an account someone else suspended is SKIPPED. Needs `users:write:suspend`.',
);
mutation(
  'signOut',
  'users:write:sessions',
  SignOutInput,
  true,
  'Ends every session of a person in every directory (MonoCloud on the Pro plan). Needs `users:write:sessions`.',
);
mutation(
  'removePasskey',
  'users:write:credentials',
  RemovePasskeyInput,
  false,
  'Removes one passkey from one account (MonoCloud, ZITADEL). Needs `users:write:credentials`.',
);
mutation(
  'removeIdentity',
  'users:write:credentials',
  RemoveIdentityInput,
  false,
  'Unlinks one identity from one account (MonoCloud external authenticators, ZITADEL IdP links). Needs `users:write:credentials`.',
);
mutation(
  'delete',
  'users:delete',
  DeleteInput,
  false,
  'Deletes one suspended account; `confirm` must repeat its id. Cannot be undone. Needs `users:delete`.',
);
