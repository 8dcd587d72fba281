import { isFailure } from '../auth/failure.js';
import { IntrospectionVerifier } from '../auth/introspection.js';
import { claimMapping } from '../auth/presets.js';
import {
  type AuthSettings,
  DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  type IntrospectionSettings,
} from '../auth/settings.js';
import { codeFor } from '../codes/failure-codes.js';
import { CODE } from '../codes/public-codes.js';
import type { DirectoryConfig } from '../config/config.js';
import { UpstreamError } from '../directory/failures.js';
import type { CallOptions, DirectoryProvider } from '../directory/port.js';
import { loadManifests } from '../documents/manifest-files.js';
import { TrustedDocuments, TrustedDocumentsError } from '../documents/trusted-documents.js';
import { timedCall } from '../resilience/deadline.js';
import { buildSchema } from '../schema/index.js';
import { buildDirectory } from './directories.js';
import type { ProcessConfig } from './process-config.js';

// `usergraph --check` (`npm start -- --check`): the config is valid, then every directory is probed
// with its credentials (users, and groups, roles and changes where the provider has them) and the token
// issuer is reached (discovery, JWKS, introspection). One line per check; a failed one says what to do.

export interface CheckLine {
  readonly ok: boolean | null;
  readonly what: string;
  readonly detail: string;
}

const TIMEOUT_MS = 10_000;

/** How to fix what a directory's failure code says. */
const FIX: Readonly<Record<string, string>> = {
  DIRECTORY_UNAUTHORIZED:
    'the credential was rejected: check apiKey (MonoCloud), token (ZITADEL) or the API key pair / accessToken (App Services)',
  DIRECTORY_FORBIDDEN:
    'the credential works but lacks a role for this read (ZITADEL: IAM_USER_READ or ORG_USER_READ; events need IAM_OWNER_VIEWER or events.read)',
  PLAN_REQUIRED: 'the provider’s plan does not include this read (MonoCloud sessions need Pro)',
  DIRECTORY_TIMEOUT: 'no answer in time: check baseUrl, the network path and HTTPS_PROXY/NO_PROXY',
  DIRECTORY_UNAVAILABLE:
    'cannot reach it or it answers 5xx: check baseUrl, DNS, TLS (tls.ca, NODE_EXTRA_CA_CERTS) and HTTPS_PROXY/NO_PROXY',
  DIRECTORY_BAD_RESPONSE: 'it answered, but not as its API documents: is baseUrl the provider’s API origin?',
  DIRECTORY_RATE_LIMITED: 'it is rate-limiting this client now: try again shortly',
  DIRECTORY_ERROR:
    'it refused the request: check baseUrl and, for App Services, groupId and appId (the app’s _id, not its client id)',
};

export async function runChecks(settings: ProcessConfig): Promise<CheckLine[]> {
  const lines: CheckLine[] = [];
  if (settings.source.kind !== 'file') {
    return [{ ok: true, what: 'config', detail: 'none given: demo mode (the built-in simulators)' }];
  }
  const config = settings.source.config;
  lines.push({ ok: true, what: 'config', detail: `${settings.source.path} is valid` });
  if (config.trustedDocuments.mode !== 'off') lines.push(checkManifests(settings));
  for (const directory of config.directories) lines.push(...(await checkDirectory(directory)));
  if (config.auth.jwt !== undefined) lines.push(...(await checkJwtIssuer(config.auth.jwt)));
  if (config.auth.introspection !== undefined) lines.push(await checkIntrospection(config.auth));
  return lines;
}

function checkManifests(settings: ProcessConfig): CheckLine {
  const config = settings.source.kind === 'file' ? settings.source.config : null;
  if (config === null) return { ok: null, what: 'trusted documents', detail: 'none' };
  const { entries, problems } = loadManifests(config.trustedDocuments.manifests, config.source);
  if (problems.length > 0) return { ok: false, what: 'trusted documents', detail: problems.join('; ') };
  try {
    const store = TrustedDocuments.prepare(buildSchema({ federation: settings.federation }), entries, {
      jit: false,
    });
    return { ok: true, what: 'trusted documents', detail: `${store.size} documents parse and validate` };
  } catch (error) {
    if (error instanceof TrustedDocumentsError) {
      return { ok: false, what: 'trusted documents', detail: error.problems.join('; ') };
    }
    throw error;
  }
}

async function checkDirectory(config: DirectoryConfig): Promise<CheckLine[]> {
  const provider = buildDirectory({
    ...config,
    resilience: { ...config.resilience, retry: { maxAttempts: 1 } },
  });
  const what = `directory ${config.name} (${config.provider})`;
  const options = () => timedCall(TIMEOUT_MS);
  const lines: CheckLine[] = [];
  try {
    // Users must be readable; groups and changes only matter to those who use them: a credential
    // without that role, or a plan without it, is a warning (–), not a failure.
    const attempt = async (
      name: string,
      read: (() => Promise<string>) | null,
      optional: boolean,
    ): Promise<CheckLine> => {
      if (read === null)
        return { ok: null, what: `${what}: ${name}`, detail: 'the provider has no such read' };
      try {
        return { ok: true, what: `${what}: ${name}`, detail: await read() };
      } catch (error) {
        const code = codeFor(error);
        const status =
          error instanceof UpstreamError && error.status !== null ? ` (HTTP ${error.status})` : '';
        const soft =
          optional &&
          (code === CODE.DIRECTORY_FORBIDDEN ||
            code === CODE.PLAN_REQUIRED ||
            code === CODE.UNSUPPORTED_BY_PROVIDER);
        return {
          ok: soft ? null : false,
          what: `${what}: ${name}`,
          detail: `${code}${status}: ${FIX[code] ?? 'see the logs'}`,
        };
      }
    };
    lines.push(
      await attempt(
        'users',
        async () => {
          const page = await provider.listUsers({ limit: 1 }, options());
          return `readable at ${config.baseUrl} (${page.users.length === 0 ? 'no users yet' : 'first page read'})`;
        },
        false,
      ),
    );
    if (lines[0]?.ok !== true) return lines;
    lines.push(await attempt('groups', groupsRead(provider, options), true));
    lines.push(
      await attempt(
        'changes',
        provider.listChanges === undefined
          ? null
          : async () => {
              await provider.listChanges?.(
                { position: null, since: Date.now() - 60_000, limit: 1 },
                options(),
              );
              return 'the change feed is readable';
            },
        true,
      ),
    );
    return lines;
  } finally {
    await provider.close?.();
  }
}

function groupsRead(provider: DirectoryProvider, options: () => CallOptions) {
  if (provider.listGroups === undefined) return null;
  return async () => {
    await provider.listGroups?.(0, 1, options());
    return 'groups are readable';
  };
}

async function checkJwtIssuer(jwt: { issuer: string; jwksUri?: string }): Promise<CheckLine[]> {
  const lines: CheckLine[] = [];
  let jwksUri = jwt.jwksUri;
  if (jwksUri === undefined) {
    const discovery = `${jwt.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    try {
      const response = await fetch(discovery, { signal: AbortSignal.timeout(TIMEOUT_MS) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
      if (typeof document.jwks_uri !== 'string') throw new Error('no jwks_uri in it');
      jwksUri = document.jwks_uri;
      const issuerMatches = typeof document.issuer === 'string' && document.issuer === jwt.issuer;
      lines.push({
        ok: issuerMatches,
        what: 'token issuer: discovery',
        detail: issuerMatches
          ? `${discovery} read`
          : `its issuer is ${JSON.stringify(document.issuer)}, the config says ${JSON.stringify(jwt.issuer)}: tokens will be refused as "wrong issuer" (a trailing slash counts)`,
      });
    } catch (error) {
      lines.push({
        ok: false,
        what: 'token issuer: discovery',
        detail: `${discovery}: ${(error as Error).message}: check auth.jwt.issuer, or set jwksUri`,
      });
      return lines;
    }
  }
  try {
    const response = await fetch(jwksUri, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const keys = ((await response.json()) as { keys?: unknown[] }).keys ?? [];
    lines.push({
      ok: keys.length > 0,
      what: 'token issuer: keys',
      detail: keys.length > 0 ? `${keys.length} signing keys at ${jwksUri}` : `no keys at ${jwksUri}`,
    });
  } catch (error) {
    lines.push({ ok: false, what: 'token issuer: keys', detail: `${jwksUri}: ${(error as Error).message}` });
  }
  return lines;
}

async function checkIntrospection(auth: AuthSettings): Promise<CheckLine> {
  const what = 'token issuer: introspection';
  const settings = auth.introspection as IntrospectionSettings;
  const verifier = new IntrospectionVerifier(
    { ...settings, negativeCacheSeconds: 0 },
    settings.issuer ?? auth.jwt?.issuer ?? '',
    settings.audience ?? auth.jwt?.audience,
    claimMapping(auth),
    DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  );
  // A token nobody issued: "not active" proves the endpoint is there and takes usergraph's client.
  const result = await verifier.verify('usergraph-check-not-a-token');
  if (isFailure(result) && result.status === 401) {
    return { ok: true, what, detail: 'the endpoint answers and accepts usergraph’s client' };
  }
  return {
    ok: false,
    what,
    detail: isFailure(result)
      ? `${result.reason}: check introspection.issuer (or endpoint), clientId and clientSecret or privateKey`
      : 'a made-up token was answered as active: is this the right endpoint?',
  };
}

/** The lines as printed: ✓ passed, ✗ failed, – not applicable. */
export function printChecks(lines: readonly CheckLine[]): string {
  return lines
    .map((line) => `${line.ok === true ? '✓' : line.ok === false ? '✗' : '–'} ${line.what}: ${line.detail}`)
    .join('\n');
}
