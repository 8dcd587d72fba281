import type { Context } from '../context.js';
import { decodeUserId } from '../directory/global-id.js';
import type { User } from '../directory/model.js';
import { badUserInput, forbidden } from '../graphql-errors.js';

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
