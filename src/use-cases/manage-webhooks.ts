import { randomBytes } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { CODE, type PublicCode } from '../codes/public-codes.js';
import type { ChangeKind } from '../directory/change-model.js';
import type { Context } from '../graphql/context.js';
import { publicError } from '../graphql/graphql-errors.js';
import { newSecret, rotated } from '../webhooks/signing.js';
import { checkResolved, parseTarget } from '../webhooks/target-url.js';
import type { WebhookEndpoint } from '../webhooks/webhook-model.js';
import type { WebhookAdmin } from '../webhooks/webhook-store.js';
import { chooseDirectories } from './choose-directories.js';
import type { UserError } from './person-actions.js';

// Managing webhooks (`webhooks:manage`): a webhook receives the changes of the directories its creator
// may read (fixed when created), so a caller sees and manages only the webhooks whose directories it
// may all read. A secret is answered once, when made (create, rotate); never listed.

export interface CreateWebhookInput {
  readonly url: string;
  readonly directories?: readonly string[] | null;
  readonly kinds?: readonly ChangeKind[] | null;
  readonly description?: string | null;
}

export interface SecretPayload {
  readonly webhook: WebhookEndpoint | null;
  readonly secret: string | null;
  readonly userErrors: readonly UserError[];
}

const MAX_DESCRIPTION = 200;

/** The webhooks the caller may manage. */
export async function listWebhooks(ctx: Context): Promise<WebhookEndpoint[]> {
  const admin = adminOf(ctx);
  const all = await stored(admin.store.endpoints());
  return all.filter((endpoint) => visible(ctx, endpoint)).sort((a, b) => a.createdAt - b.createdAt);
}

export async function createWebhook(ctx: Context, input: CreateWebhookInput): Promise<SecretPayload> {
  const admin = adminOf(ctx);
  const target = parseTarget(input.url, admin.policy);
  if (typeof target === 'string')
    return refused(CODE.WEBHOOK_TARGET_REFUSED, `Webhook URL refused: ${target}.`, 'url');
  const unresolved = await checkResolved(target, admin.policy);
  if (unresolved !== null)
    return refused(CODE.WEBHOOK_TARGET_REFUSED, `Webhook URL refused: ${unresolved}.`, 'url');
  if ((input.description?.length ?? 0) > MAX_DESCRIPTION) {
    return refused(CODE.BAD_USER_INPUT, `At most ${MAX_DESCRIPTION} characters.`, 'description');
  }
  if (!ctx.grants['changes:read']) {
    return refused(
      CODE.FORBIDDEN,
      'A webhook receives changes: its creator needs `changes:read` too.',
      'directories',
    );
  }
  let directories: string[];
  try {
    directories = chooseDirectories(ctx, input.directories)
      .filter((directory) => directory.listChanges)
      .map((directory) => directory.name);
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return refused(
      (error.extensions.code as PublicCode) ?? CODE.BAD_USER_INPUT,
      error.message,
      'directories',
    );
  }
  if (directories.length === 0) {
    return refused(CODE.BAD_USER_INPUT, 'None of these directories has a change feed.', 'directories');
  }
  const feed = ctx.feed;
  if (feed === null) throw off();
  const endpoint: WebhookEndpoint = {
    id: `wh_${randomBytes(9).toString('base64url')}`,
    url: target.href,
    directories,
    kinds: input.kinds === null || input.kinds === undefined ? null : [...new Set(input.kinds)],
    description: input.description ?? null,
    secrets: [{ secret: newSecret(), notAfter: null }],
    createdAt: Date.now(),
    createdBy: `${ctx.principal.kind}:${ctx.principal.subject}`,
  };
  try {
    // It receives what happens from now on: each directory's stream as it stands.
    const cursors: Record<string, number> = {};
    for (const directory of directories) cursors[directory] = (await feed.stream.read(directory, 0, 0)).last;
    if (!(await admin.store.create(endpoint, cursors, admin.maxEndpoints))) {
      return refused(
        CODE.WEBHOOK_LIMIT_REACHED,
        `The cluster holds ${admin.maxEndpoints} webhooks already (webhooks.maxEndpoints): delete one first.`,
        'url',
      );
    }
  } catch {
    return unavailable();
  }
  return { webhook: endpoint, secret: endpoint.secrets[0]?.secret ?? null, userErrors: [] };
}

export async function rotateWebhookSecret(
  ctx: Context,
  input: { readonly id: string; readonly overlapSeconds?: number | null },
): Promise<SecretPayload> {
  const admin = adminOf(ctx);
  const overlap = input.overlapSeconds;
  if (
    overlap !== null &&
    overlap !== undefined &&
    (!Number.isInteger(overlap) || overlap < 0 || overlap > 30 * 86_400)
  ) {
    return refused(CODE.BAD_USER_INPUT, 'Between 0 and 2592000 seconds (30 days).', 'overlapSeconds');
  }
  try {
    const endpoint = await admin.store.endpoint(input.id);
    if (endpoint === null || !visible(ctx, endpoint)) return notFound();
    const secrets = rotated(
      endpoint.secrets,
      Date.now(),
      overlap === null || overlap === undefined ? admin.overlapMs : overlap * 1000,
    );
    if (!(await admin.store.setSecrets(endpoint.id, secrets))) return notFound();
    return { webhook: { ...endpoint, secrets }, secret: secrets[0]?.secret ?? null, userErrors: [] };
  } catch {
    return unavailable();
  }
}

export async function deleteWebhook(
  ctx: Context,
  input: { readonly id: string },
): Promise<{ deletedId: string | null; userErrors: readonly UserError[] }> {
  const admin = adminOf(ctx);
  try {
    const endpoint = await admin.store.endpoint(input.id);
    if (endpoint === null || !visible(ctx, endpoint) || !(await admin.store.remove(endpoint.id))) {
      return { deletedId: null, userErrors: notFound().userErrors };
    }
    return { deletedId: endpoint.id, userErrors: [] };
  } catch {
    return { deletedId: null, userErrors: unavailable().userErrors };
  }
}

export async function replayDeadLetters(
  ctx: Context,
  input: { readonly id: string },
): Promise<{ replayed: number; userErrors: readonly UserError[] }> {
  const admin = adminOf(ctx);
  try {
    const endpoint = await admin.store.endpoint(input.id);
    if (endpoint === null || !visible(ctx, endpoint))
      return { replayed: 0, userErrors: notFound().userErrors };
    return { replayed: await admin.store.replay(endpoint.id), userErrors: [] };
  } catch {
    return { replayed: 0, userErrors: unavailable().userErrors };
  }
}

/** The webhooks machinery of this server; a GraphQL error when it runs none. */
export function adminOf(ctx: Context): WebhookAdmin {
  const admin = ctx.feed?.webhooks ?? null;
  if (admin === null) throw off();
  return admin;
}

/** What the store answers; its failing (Redis unreachable) is a coded error, never an empty list. */
export async function stored<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch {
    throw publicError(CODE.WEBHOOK_STORE_UNAVAILABLE, PUBLIC_UNAVAILABLE);
  }
}

function visible(ctx: Context, endpoint: WebhookEndpoint): boolean {
  return endpoint.directories.every((directory) => !ctx.directories.isWithheld(directory));
}

function off(): GraphQLError {
  return publicError(
    CODE.UNSUPPORTED_BY_PROVIDER,
    'This server runs no webhooks (webhooks.enabled or feed.enabled is off).',
    {
      feature: 'webhooks',
    },
  );
}

const PUBLIC_UNAVAILABLE = 'Where webhooks are kept is unreachable (Redis): nothing was changed; try again.';

function refused(code: PublicCode, message: string, field: string): SecretPayload {
  return { webhook: null, secret: null, userErrors: [{ code, message, field: ['input', field] }] };
}

function notFound(): SecretPayload {
  return refused(CODE.WEBHOOK_NOT_FOUND, 'No webhook with this id (among those you may manage).', 'id');
}

function unavailable(): SecretPayload {
  return refused(CODE.WEBHOOK_STORE_UNAVAILABLE, PUBLIC_UNAVAILABLE, 'id');
}
