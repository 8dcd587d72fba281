// The scope vocabulary: what a principal may read, and (users:write:*, users:delete) do. One scope per class of personal data, so a support
// tool can see who someone is without their sign-in IPs, and a script can page names without emails.
// docs/authentication.md, "Scopes", documents each; the schema marks every field with the one it needs.

export const SCOPES = [
  'users:read',
  'users:read:contact',
  'users:read:credentials',
  'users:read:activity',
  'users:read:private',
  'groups:read',
  'roles:read',
  'changes:read',
  'directories:health',
  'metrics:read',
  'schema:introspect',
  'cache:bypass',
  'documents:arbitrary',
  'admin:reload',
  'users:write:suspend',
  'users:write:sessions',
  'users:write:credentials',
  'users:delete',
  'webhooks:manage',
] as const;

export type Scope = (typeof SCOPES)[number];

export const SCOPE_DESCRIPTIONS: Readonly<Record<Scope, string>> = {
  'users:read':
    'Ids, names, kind, status, directory and timestamps of accounts; list and look up accounts by id.',
  'users:read:contact':
    'Email addresses, phone numbers and login names; email lookups, linked accounts, text and email filters (they reveal email matches).',
  'users:read:credentials':
    'Passkeys, linked identities, password facts, MonoCloud connections, machine-user secrets and token types.',
  'users:read:activity': 'Sign-in times, counters, IPs and locations, last activity and authentication.',
  'users:read:private':
    'Application data (MonoCloud public/private data, App Services data), raw profile claims, gender.',
  'groups:read': 'Groups: a directory’s groups, an account’s groups, a group’s members (with users:read).',
  'roles:read': 'Role assignments of accounts (ZITADEL authorizations).',
  'changes:read':
    'The change feed (Query.changes, Directory.changes): who was created, changed, deleted, added to a group, granted a role, signed in.',
  'directories:health': 'Directory.health, and the per-directory detail of GET /readiness.',
  'metrics:read': 'GET /metrics on the main port (a separate metrics port needs none).',
  'schema:introspect': 'Introspection when it is off for everyone else (the production default).',
  'cache:bypass':
    'Read users from their directory even when cached (header `X-Usergraph-Cache: bypass`), refreshing the cache.',
  'admin:reload': 'POST /admin/reload (when `http.adminReload` is on): re-read the config without a restart.',
  'users:write:suspend': 'suspendPerson and resumePerson: disable and re-enable a person’s accounts.',
  'users:write:sessions': 'signOutEverywhere: end a person’s sessions in every directory.',
  'users:write:credentials':
    'removePasskey and removeIdentity: remove a passkey or a linked identity from an account.',
  'users:delete': 'deleteAccount: delete an account (suspended first; cannot be undone).',
  'webhooks:manage':
    'webhooks, createWebhook, deleteWebhook, rotateWebhookSecret, replayWebhookDeadLetters: register endpoints that receive the changes of the directories (and kinds) the creator may read.',
  'documents:arbitrary':
    'Send documents outside the trusted-documents manifest when `trustedDocuments.mode` is `only` (GraphiQL, ad-hoc scripts).',
};

/** The scopes that read personal data beyond an account's name: never served over GET. */
export const PII_SCOPES: readonly Scope[] = [
  'users:read:contact',
  'users:read:credentials',
  'users:read:activity',
  'users:read:private',
];

/** The audit log's name for the class of data a scope reads (names and ids, `users:read`, are implied). */
export const SCOPE_CLASS: Readonly<Partial<Record<Scope, string>>> = {
  'users:read:contact': 'contact',
  'users:read:credentials': 'credentials',
  'users:read:activity': 'activity',
  'users:read:private': 'private',
  'groups:read': 'groups',
  'roles:read': 'roles',
  'changes:read': 'changes',
};

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}
