import { builder, needs } from '../graphql/builder.js';
import {
  adminOf,
  createWebhook,
  deleteWebhook,
  listWebhooks,
  replayDeadLetters,
  rotateWebhookSecret,
  type SecretPayload,
  stored,
} from '../use-cases/manage-webhooks.js';
import { liveSecrets } from '../webhooks/signing.js';
import type { DeadLetter, WebhookEndpoint } from '../webhooks/webhook-model.js';
import { backlogOf } from '../webhooks/webhook-store.js';
import { UserErrorType } from './actions.js';
import { ChangeKindEnum } from './changes.js';

// Webhooks (docs/webhooks.md): endpoints that receive the changes as signed POSTs, managed by callers
// with `webhooks:manage`. A secret is answered once (create, rotate) and never listed.

const MAX_DEAD_LETTERS_SHOWN = 100;
const USER_ERRORS = 'What the caller got wrong, or why the request cannot run now; empty when it ran.';

const DeadLetterType = builder.objectRef<DeadLetter>('WebhookDeadLetter').implement({
  description:
    'A message whose retry period ended (or that found the backlog full): `replayWebhookDeadLetters` sends it again.',
  fields: (t) => ({
    messageId: t.exposeID('messageId', {
      description: 'Its `webhook-id` (the same on every attempt and replay).',
    }),
    directory: t.exposeString('directory', { description: 'The directory of its change.' }),
    attempts: t.exposeInt('attempts', { description: 'Attempts made.' }),
    lastError: t.exposeString('lastError', {
      nullable: true,
      description:
        'Why the last attempt failed: `HTTP <status>`, `TIMEOUT`, `CONNECTION_REFUSED`, `BACKLOG_FULL`…',
    }),
    queuedAt: t.expose('queuedAt', { type: 'DateTime', description: 'When it was queued.' }),
    deadAt: t.expose('deadAt', { type: 'DateTime', description: 'When it was given up on.' }),
    body: t.exposeString('body', { description: 'The JSON body it carries (as sent).' }),
  }),
});

const WebhookType = builder.objectRef<WebhookEndpoint>('Webhook').implement({
  description:
    'An endpoint that receives changes as signed POSTs (Standard Webhooks), at least once, in order per directory.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Its id (`wh_…`).' }),
    url: t.exposeString('url', { description: 'Where the changes are POSTed.' }),
    description: t.exposeString('description', {
      nullable: true,
      description: 'What its creator said it is for.',
    }),
    directories: t.exposeStringList('directories', {
      description: 'The directories whose changes it receives.',
    }),
    kinds: t.field({
      type: [ChangeKindEnum],
      nullable: true,
      description: 'Only these kinds of change; null: every kind.',
      resolve: (endpoint) => endpoint.kinds,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
    secretsSigning: t.int({
      description: 'Secrets signing each message now (2 during a rotation’s overlap).',
      resolve: (endpoint) => liveSecrets(endpoint.secrets, Date.now()).length,
    }),
    backlog: t.int({
      description: 'Messages waiting to be delivered, all directories together.',
      resolve: (endpoint, _args, ctx) => stored(backlogOf(adminOf(ctx).store, endpoint)),
    }),
    deadLetterCount: t.int({
      description: 'Dead letters it holds.',
      resolve: async (endpoint, _args, ctx) =>
        (await stored(adminOf(ctx).store.deadLetters(endpoint.id, 0))).count,
    }),
    deadLetters: t.field({
      type: [DeadLetterType],
      description: `The newest dead letters, at most \`first\` (${MAX_DEAD_LETTERS_SHOWN}).`,
      args: { first: t.arg.int({ required: false, defaultValue: 20 }) },
      resolve: async (endpoint, args, ctx) => {
        const first = Math.max(0, Math.min(args.first ?? 20, MAX_DEAD_LETTERS_SHOWN));
        return (await stored(adminOf(ctx).store.deadLetters(endpoint.id, first))).letters;
      },
    }),
  }),
});

builder.queryField('webhooks', (t) =>
  t.field({
    ...needs('webhooks:manage'),
    type: [WebhookType],
    // Null with a coded error (webhooks off, their store unreachable), never a whole answer wiped.
    nullable: true,
    description: 'The webhooks whose directories the caller may all read. Needs `webhooks:manage`.',
    resolve: (_root, _args, ctx) => listWebhooks(ctx),
  }),
);

const SecretPayloadType = builder.objectRef<SecretPayload>('WebhookSecretPayload').implement({
  description: 'A webhook with a new secret: the only time the secret is answered.',
  fields: (t) => ({
    webhook: t.field({
      type: WebhookType,
      nullable: true,
      description: 'The webhook (null when `userErrors` says why not).',
      resolve: (payload) => payload.webhook,
    }),
    secret: t.exposeString('secret', {
      nullable: true,
      description: 'The signing secret (`whsec_…`) for the receiver’s Standard Webhooks library; shown once.',
    }),
    userErrors: t.field({
      type: [UserErrorType],
      description: USER_ERRORS,
      resolve: (payload) => payload.userErrors,
    }),
  }),
});

const CreateInput = builder.inputType('CreateWebhookInput', {
  description: 'Where to send changes, and which.',
  fields: (t) => ({
    url: t.string({ description: 'An https URL (not in a private network unless the config allows).' }),
    directories: t.stringList({
      required: false,
      description: 'The directories whose changes it receives (default: every one the caller may read).',
    }),
    kinds: t.field({
      type: [ChangeKindEnum],
      required: false,
      description: 'Only these kinds (default: all).',
    }),
    description: t.string({ required: false, description: 'What it is for (at most 200 characters).' }),
  }),
});

const IdInput = (name: string, description: string) =>
  builder.inputType(name, {
    description,
    fields: (t) => ({ id: t.id({ description: 'The webhook’s id.' }) }),
  });

const RotateInput = builder.inputType('RotateWebhookSecretInput', {
  description: 'Which webhook gets a new secret, and how long the old one keeps signing.',
  fields: (t) => ({
    id: t.id({ description: 'The webhook’s id.' }),
    overlapSeconds: t.int({
      required: false,
      description:
        'How long the old secret keeps signing beside the new one (default `webhooks.rotationOverlapSeconds`).',
    }),
  }),
});

builder.mutationField('createWebhook', (t) =>
  t.field({
    ...needs('webhooks:manage'),
    type: SecretPayloadType,
    nullable: true,
    description:
      'Registers an endpoint: from now on it receives the changes (signed, at least once). Needs `webhooks:manage` and `changes:read`.',
    args: { input: t.arg({ type: CreateInput }) },
    resolve: (_root, args, ctx) => createWebhook(ctx, args.input),
  }),
);

builder.mutationField('rotateWebhookSecret', (t) =>
  t.field({
    ...needs('webhooks:manage'),
    type: SecretPayloadType,
    nullable: true,
    description:
      'Gives a webhook a new secret; the old one keeps signing for the overlap. Needs `webhooks:manage`.',
    args: { input: t.arg({ type: RotateInput }) },
    resolve: (_root, args, ctx) =>
      rotateWebhookSecret(ctx, { id: String(args.input.id), overlapSeconds: args.input.overlapSeconds }),
  }),
);

const DeletePayload = builder
  .objectRef<Awaited<ReturnType<typeof deleteWebhook>>>('DeleteWebhookPayload')
  .implement({
    description: 'The webhook deleted, with its queue and dead letters.',
    fields: (t) => ({
      deletedId: t.exposeID('deletedId', {
        nullable: true,
        description: 'The id deleted (null when `userErrors` says why not).',
      }),
      userErrors: t.field({
        type: [UserErrorType],
        description: USER_ERRORS,
        resolve: (payload) => payload.userErrors,
      }),
    }),
  });

builder.mutationField('deleteWebhook', (t) =>
  t.field({
    ...needs('webhooks:manage'),
    type: DeletePayload,
    nullable: true,
    description: 'Deletes a webhook with what it has queued. Needs `webhooks:manage`.',
    args: { input: t.arg({ type: IdInput('DeleteWebhookInput', 'Which webhook to delete.') }) },
    resolve: (_root, args, ctx) => deleteWebhook(ctx, { id: String(args.input.id) }),
  }),
);

const ReplayPayload = builder
  .objectRef<Awaited<ReturnType<typeof replayDeadLetters>>>('ReplayWebhookDeadLettersPayload')
  .implement({
    description: 'How many dead letters went back to the front of their queues.',
    fields: (t) => ({
      replayed: t.exposeInt('replayed', { description: 'Dead letters queued again.' }),
      userErrors: t.field({
        type: [UserErrorType],
        description: USER_ERRORS,
        resolve: (payload) => payload.userErrors,
      }),
    }),
  });

builder.mutationField('replayWebhookDeadLetters', (t) =>
  t.field({
    ...needs('webhooks:manage'),
    type: ReplayPayload,
    nullable: true,
    description:
      'Sends a webhook’s dead letters again, oldest first, ahead of what is queued. Needs `webhooks:manage`.',
    args: {
      input: t.arg({ type: IdInput('ReplayWebhookDeadLettersInput', 'Whose dead letters to send again.') }),
    },
    resolve: (_root, args, ctx) => replayDeadLetters(ctx, { id: String(args.input.id) }),
  }),
);
