import { linkedAccounts, usersByEmail } from '../cost/field-costs.js';
import { normalizeEmail } from '../directory/filter.js';
import { builder, costs, needs } from '../graphql/builder.js';
import { badUserInput } from '../graphql/graphql-errors.js';
import {
  accountsFor,
  type EmailAccount,
  type LinkedAccount,
  linkedAccountsOf,
} from '../use-cases/email-accounts.js';
import { UserInterface } from './user.js';

/** The longest address SMTP can carry (RFC 5321 §4.5.3.1: a 256-octet path less its brackets). */
const MAX_EMAIL_LENGTH = 254;

const EmailAccountType = builder.objectRef<EmailAccount>('EmailAccount').implement({
  description: 'An account holding an email address, and whether its directory has verified it there.',
  fields: (t) => ({
    user: t.field({ type: UserInterface, description: 'The account.', resolve: (account) => account.user }),
    verified: t.exposeBoolean('verified', {
      description: 'Whether the account’s directory has verified this address for it.',
    }),
  }),
});

const EmailAccountsType = builder.objectRef<{ readonly email: string }>('EmailAccounts').implement({
  description: 'Everyone holding one email address, across every directory.',
  fields: (t) => ({
    email: t.exposeString('email', { description: 'The address asked for, trimmed and lower-cased.' }),
    accounts: t.field({
      type: [EmailAccountType],
      description:
        'The accounts holding the address, in directory configuration order. A directory that failed is named in the response errors.',
      resolve: (entry, _args, ctx, info) => accountsFor(ctx, info, entry.email),
    }),
  }),
});

builder.queryFields((t) => ({
  usersByEmail: t.field({
    ...costs(usersByEmail),
    ...needs('users:read', 'users:read:contact'),
    nullable: true,
    type: [EmailAccountsType],
    description:
      'For each email address (trimmed, case-folded; at most 254 characters; at most `limits.emails`, 100 by default, sent across every usersByEmail of the operation), the accounts holding it in every directory. Batched per directory: ZITADEL one inUserEmailsQuery; MonoCloud one filtered list request per address; App Services one scan of the user list per request.',
    args: { emails: t.arg.stringList({ description: 'Email addresses.' }) },
    // How many addresses is capped per operation, before execution (plugins/use-upstream-budget.ts).
    resolve: (_root, args) =>
      args.emails.map((raw, index) => {
        if (raw.length > MAX_EMAIL_LENGTH) {
          throw badUserInput(
            `Argument "emails[${index}]": an address is at most ${MAX_EMAIL_LENGTH} characters (RFC 5321); this one has ${raw.length}.`,
            `emails[${index}]`,
          );
        }
        const email = normalizeEmail(raw);
        if (!email.includes('@')) {
          throw badUserInput(
            `Argument "emails[${index}]": "${raw.slice(0, 80)}" is not an email address.`,
            `emails[${index}]`,
          );
        }
        return { email };
      }),
  }),
}));

const LinkedAccountType = builder.objectRef<LinkedAccount>('LinkedAccount').implement({
  description: 'The same person’s account in another directory, linked by an email verified on both sides.',
  fields: (t) => ({
    user: t.field({ type: UserInterface, description: 'The other account.', resolve: (link) => link.user }),
    matchedEmail: t.exposeString('matchedEmail', {
      description: 'The address verified on both accounts that links them (lower-cased).',
    }),
  }),
});

builder.interfaceField(UserInterface, 'linkedAccounts', (t) =>
  t.field({
    ...costs(linkedAccounts),
    ...needs('users:read', 'users:read:contact'),
    nullable: true,
    type: [LinkedAccountType],
    description:
      'This person’s accounts in OTHER directories, matched on email addresses verified on both sides (an unverified address never links). Batched: a page of users asking for this makes one email lookup per directory.',
    resolve: (user, _args, ctx, info) => linkedAccountsOf(ctx, info, user),
  }),
);
