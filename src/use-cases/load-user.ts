import type { Context } from '../context.js';
import type { Group } from '../directory/access-model.js';
import { decodeGroupId, decodeUserId } from '../directory/global-id.js';
import type { User } from '../directory/model.js';
import { badUserInput, forbidden } from '../graphql-errors.js';
import { withRead } from './capability.js';

const SHOWN = 60;

/** Loads the user a global id names, through the request's loaders. Bad ids reject with BAD_USER_INPUT. */
export async function loadUserByGlobalId(
  ctx: Context,
  globalId: string,
  argument: string,
): Promise<User | null> {
  const ref = decodeUserId(globalId);
  const shown = globalId.length > SHOWN ? `${globalId.slice(0, SHOWN)}…` : globalId;
  if (typeof ref === 'string') throw badUserInput(`Argument "${argument}": "${shown}" ${ref}.`, argument);
  if (ctx.directories.isWithheld(ref.directory)) throw forbidden('', ref.directory);
  const directory = ctx.directories.get(ref.directory);
  if (!directory) {
    throw badUserInput(
      `Argument "${argument}": "${shown}" names directory "${ref.directory}", which is not configured here.`,
      argument,
    );
  }
  return ctx.loaders.user(directory).load(ref.localId);
}

/**
 * What `node`/`nodes` answer: a group for a group id (it needs `groups:read` too), else the user. A
 * group of a directory without groups is UNSUPPORTED_BY_PROVIDER, never "no such group".
 */
export async function loadNodeByGlobalId(
  ctx: Context,
  globalId: string,
  argument: string,
): Promise<User | Group | null> {
  const group = decodeGroupId(globalId);
  if (group === null) return loadUserByGlobalId(ctx, globalId, argument);
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
