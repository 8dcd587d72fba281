import type { ClaimMapping, RoleGrant } from './claims.js';
import type { AuthSettings } from './settings.js';

/**
 * Where each issuer puts a caller's scopes and roles (../shared/providers/access-tokens.md), `{audience}`
 * standing for each configured audience (ZITADEL's project id, Keycloak's client id):
 * - ZITADEL: project roles as an object keyed by role, flat and project-scoped; `scope` in introspection
 *   answers.
 * - Keycloak: realm roles and the client's roles, nested; `scope`.
 * - Entra ID: `scp` (delegated, a string) and `roles` (app roles, an array).
 * - Okta: `scp` (an array) and a configured `groups` claim.
 * - Auth0: `scope` and, with RBAC, `permissions`.
 */
const PRESET_CLAIMS: Readonly<Record<NonNullable<AuthSettings['preset']>, readonly string[]>> = {
  zitadel: ['urn:zitadel:iam:org:project:roles', 'urn:zitadel:iam:org:project:{audience}:roles', 'scope'],
  keycloak: ['realm_access.roles', 'resource_access.{audience}.roles', 'scope'],
  entra: ['scp', 'roles'],
  okta: ['scp', 'groups'],
  auth0: ['scope', 'permissions'],
};

/** How a deployment's tokens are read: `claims` as configured, else the preset's, else `jwt.scopeClaim`. */
export function claimMapping(settings: AuthSettings): ClaimMapping {
  const audiences = [settings.jwt?.audience, settings.introspection?.audience].flatMap((audience) =>
    audience === undefined ? [] : typeof audience === 'string' ? [audience] : audience,
  );
  const expand = (paths: readonly string[]) => [
    ...new Set(
      paths.flatMap((path) =>
        path.includes('{audience}')
          ? audiences.map((audience) => path.replaceAll('{audience}', audience))
          : [path],
      ),
    ),
  ];
  const scopeClaims =
    settings.claims?.scopes ??
    (settings.preset !== undefined ? PRESET_CLAIMS[settings.preset] : [settings.jwt?.scopeClaim ?? 'scope']);
  const directoriesClaims =
    settings.claims?.directories ??
    (settings.jwt?.directoriesClaim === undefined ? [] : [settings.jwt.directoriesClaim]);
  const roles = new Map<string, RoleGrant>();
  for (const [name, grant] of Object.entries(settings.roles ?? {})) {
    roles.set(name, Array.isArray(grant) ? { scopes: grant, directories: [] } : grant);
  }
  return { scopeClaims: expand(scopeClaims), directoriesClaims: expand(directoriesClaims), roles };
}
