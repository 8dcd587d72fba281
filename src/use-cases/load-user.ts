import type { Context } from '../context.js';
import type { Group } from '../directory/access-model.js';
import { decodeGroupId, decodeUserId, type UserRef } from '../directory/global-id.js';
import type { User } from '../directory/model.js';
import { badUserInput, forbidden } from '../graphql-errors.js';
import { withRead } from './capability.js';

const SHOWN = 60;

/** An id as an error message quotes it: the first 60 characters. */
function shown(globalId: string): string {
  return globalId.length > SHOWN ? `${globalId.slice(0, SHOWN)}…` : globalId;
}

/**
 * Loads the user a global id names, through the request's loaders. Bad ids reject with BAD_USER_INPUT.
 * Not an async function: `nodes` asks this once per id, and an async function that returns the
 * loader's promise wraps it in a second one, resolved a few microtasks later (BENCHMARKS.md, issue 17).
 * Every refusal is a rejected promise all the same, never a throw.
 */
export function loadUserByGlobalId(ctx: Context, globalId: string, argument: string): Promise<User | null> {
  const ref = decodeUserId(globalId);
  if (typeof ref === 'string') {
    return Promise.reject(badUserInput(`Argument "${argument}": "${shown(globalId)}" ${ref}.`, argument));
  }
  if (ctx.directories.isWithheld(ref.directory)) return Promise.reject(forbidden('', ref.directory));
  const directory = ctx.directories.get(ref.directory);
  if (!directory) {
    return Promise.reject(
      badUserInput(
        `Argument "${argument}": "${shown(globalId)}" names directory "${ref.directory}", which is not configured here.`,
        argument,
      ),
    );
  }
  return ctx.loaders.user(directory).load(ref.localId);
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
