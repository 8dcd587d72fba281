import type { GraphQLError } from 'graphql';
import { CODE, ERRORS_PER_FIELD } from '../codes/public-codes.js';
import type { Group } from '../directory/access-model.js';
import { decodeGroupId, decodeUserId, type UserRef } from '../directory/global-id.js';
import type { User } from '../directory/model.js';
import type { Context } from '../graphql/context.js';
import { badUserInput, forbidden, outcome } from '../graphql/graphql-errors.js';
import { withRead } from './capability.js';

const SHOWN = 60;

/** An id as an error message quotes it: the first 60 characters. */
function shown(globalId: string): string {
  return globalId.length > SHOWN ? `${globalId.slice(0, SHOWN)}…` : globalId;
}

/**
 * Loads the user a global id names, through the request's loaders. Bad ids reject with BAD_USER_INPUT.
 * Every refusal is a rejected promise, never a throw.
 */
export function loadUserByGlobalId(ctx: Context, globalId: string, argument: string): Promise<User | null> {
  const ref = decodeUserId(globalId);
  if (typeof ref === 'string') {
    return refuse(ctx, CODE.BAD_USER_INPUT, () =>
      badUserInput(`Argument "${argument}": "${shown(globalId)}" ${ref}.`, argument),
    );
  }
  if (ctx.directories.isWithheld(ref.directory)) {
    return refuse(ctx, CODE.FORBIDDEN, () => forbidden('', ref.directory));
  }
  const directory = ctx.directories.get(ref.directory);
  if (!directory) {
    return refuse(ctx, CODE.BAD_USER_INPUT, () =>
      badUserInput(
        `Argument "${argument}": "${shown(globalId)}" names directory "${ref.directory}", which is not configured here.`,
        argument,
      ),
    );
  }
  return ctx.loaders.user(directory).load(ref.localId);
}

/**
 * A refused id. The response shows ERRORS_PER_FIELD errors per field and counts the rest in a summary,
 * so past that many in one request a refusal is not worth an error of its own (each is an Error with
 * a stack to capture): later ones share one per code, counted all the same.
 */
function refuse(
  ctx: Context,
  code: typeof CODE.BAD_USER_INPUT | typeof CODE.FORBIDDEN,
  make: () => GraphQLError,
): Promise<never> {
  const refusals = ctx.refusals;
  refusals.count += 1;
  if (refusals.count <= ERRORS_PER_FIELD) return Promise.reject(make());
  let shared = refusals.shared.get(code);
  if (shared === undefined) {
    shared = outcome('Refused like the ids before it (the first are shown one by one).', { code });
    refusals.shared.set(code, shared);
  }
  return Promise.reject(shared);
}

/**
 * What `node`/`nodes` answer: a group for a group id (it needs `groups:read` too), else the user. A
 * group of a directory without groups is UNSUPPORTED_BY_PROVIDER, never "no such group".
 */
export function loadNodeByGlobalId(
  ctx: Context,
  globalId: string,
  argument: string,
): Promise<User | Group | null> {
  const group = decodeGroupId(globalId);
  return group === null ? loadUserByGlobalId(ctx, globalId, argument) : loadGroup(ctx, group, argument);
}

async function loadGroup(ctx: Context, group: UserRef, argument: string): Promise<Group | null> {
  if (!ctx.grants['groups:read']) throw forbidden('groups:read');
  if (ctx.directories.isWithheld(group.directory)) throw forbidden('', group.directory);
  const directory = ctx.directories.get(group.directory);
  if (!directory) {
    throw badUserInput(
      `Argument "${argument}": names directory "${group.directory}", which is not configured here.`,
      argument,
    );
  }
  return ctx.loaders.groups(withRead(directory, 'getGroups', 'groups')).load(group.localId);
}
