import type { DirectoryProvider } from '../directory/port.js';
import type { Context } from '../graphql/context.js';
import { badUserInput, forbidden } from '../graphql/graphql-errors.js';

/**
 * The directories a merged field (`users`, `changes`) reads: those named in its `directories`
 * argument, or every one the caller may read. Naming none, one withheld from the caller (FORBIDDEN) or
 * one not configured (BAD_USER_INPUT) is refused before any directory is asked.
 */
export function chooseDirectories(
  ctx: Context,
  requested: readonly string[] | null | undefined,
): DirectoryProvider[] {
  const names = requested ?? ctx.directories.providers.map((directory) => directory.name);
  if (names.length === 0) {
    throw badUserInput('Argument "directories" must name at least one directory.', 'directories');
  }
  const withheld = names.find((name) => ctx.directories.isWithheld(name));
  if (withheld !== undefined) throw forbidden('', withheld);
  const unknown = names.find((name) => !ctx.directories.get(name));
  if (unknown !== undefined) {
    throw badUserInput(`Argument "directories": "${unknown}" is not a configured directory.`, 'directories');
  }
  return ctx.directories.providers.filter((directory) => names.includes(directory.name));
}
