// What the cost estimate (estimate.ts) assumes where the answer depends on data it has not read yet.
// Each is an upper bound for usergraph's own demo and tests; a directory whose data breaks one meets
// the operation's hard ceiling (OPERATION_TOO_EXPENSIVE on the fields past it), never a silent excess.

/** Verified email addresses per user that `linkedAccounts` looks up. */
export const LINKED_EMAILS_PER_USER = 3;

/** Accounts holding one email address in one directory. */
export const ACCOUNTS_PER_EMAIL = 5;

/** Distinct groups one operation reads by id from one directory (the groups of the users it shows). */
export const GROUPS_PER_DIRECTORY = 50;
