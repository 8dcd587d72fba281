import type { GraphQLResolveInfo } from 'graphql';
import { DirectoryFailure } from '../codes/failure-codes.js';
import { normalizeEmail } from '../directory/filter.js';
import type { User } from '../directory/model.js';
import type { DirectoryProvider } from '../directory/port.js';
import type { Context } from '../graphql/context.js';

export interface EmailAccount {
  readonly user: User;
  readonly email: string;
  readonly verified: boolean;
}

type EmailLookupDirectory = DirectoryProvider & Required<Pick<DirectoryProvider, 'findUsersByEmail'>>;

export function canLookUpEmails(directory: DirectoryProvider): directory is EmailLookupDirectory {
  return typeof directory.findUsersByEmail === 'function';
}

/** What `usersByEmail` answers for one address: every account holding it (each recorded as read). */
export async function accountsFor(
  ctx: Context,
  info: GraphQLResolveInfo,
  email: string,
): Promise<EmailAccount[]> {
  const accounts = await accountsHolding(ctx, info, email, ctx.directories.providers);
  for (const account of accounts) ctx.read.user(account.user);
  return accounts;
}

/**
 * The accounts holding `email` in each of `directories`, through the request's loaders (one batched
 * lookup per directory for every email asked in the request). A failing directory is reported as a
 * partial error naming it; the others still answer.
 */
async function accountsHolding(
  ctx: Context,
  info: GraphQLResolveInfo,
  email: string,
  directories: readonly DirectoryProvider[],
): Promise<EmailAccount[]> {
  const perDirectory = await Promise.all(
    directories.filter(canLookUpEmails).map(async (directory) => {
      ctx.read.directory(directory.name);
      try {
        return (await ctx.loaders.emails(directory).load(email)) ?? [];
      } catch (error) {
        if (!(error instanceof DirectoryFailure)) throw error;
        ctx.partialErrors.report(info, error);
        return [];
      }
    }),
  );
  return perDirectory.flat().flatMap((user) => {
    const held = user.emails.find((candidate) => normalizeEmail(candidate.address) === email);
    return held ? [{ user, email, verified: held.verified }] : [];
  });
}

export interface LinkedAccount {
  readonly user: User;
  readonly matchedEmail: string;
}

/** The same person's accounts in other directories, linked by addresses verified on both sides. */
export async function linkedAccountsOf(
  ctx: Context,
  info: GraphQLResolveInfo,
  user: User,
): Promise<LinkedAccount[]> {
  const others = ctx.directories.providers.filter((directory) => directory.name !== user.directory);
  const verified = [
    ...new Set(user.emails.filter((email) => email.verified).map((email) => normalizeEmail(email.address))),
  ];
  const found = await Promise.all(verified.map((email) => accountsHolding(ctx, info, email, others)));
  const links = new Map<string, LinkedAccount>();
  for (const account of found.flat()) {
    const key = `${account.user.directory}\u0000${account.user.localId}`;
    if (account.verified && !links.has(key))
      links.set(key, { user: account.user, matchedEmail: account.email });
  }
  for (const link of links.values()) ctx.read.user(link.user);
  return [...links.values()];
}
