import {
  type DocumentNode,
  type FragmentDefinitionNode,
  getOperationAST,
  Kind,
  type OperationDefinitionNode,
  parse,
  type SelectionSetNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Authenticator } from '../../auth/authenticator.js';
import { isFailure } from '../../auth/failure.js';
import type { Principal } from '../../auth/principal.js';
import type { Scope } from '../../auth/scopes.js';
import { CODE } from '../../codes/public-codes.js';
import type { Context } from '../../graphql/context.js';
import { publicError } from '../../graphql/graphql-errors.js';
import type { AuditSink } from '../../observability/audit.js';
import { ROUTES } from '../hygiene/use-routes.js';

const WRITE_SCOPES: readonly Scope[] = [
  'users:write:suspend',
  'users:write:sessions',
  'users:write:credentials',
  'users:delete',
  // A webhook sends changes out for as long as it lives: registering one is a write like the others.
  'webhooks:manage',
];

export interface WritePolicy {
  /** How recent a sign-in (`auth_time`) a token must show to write; 0: no step-up. */
  readonly stepUpMaxAgeSeconds: number;
  /** API keys (no `auth_time`) may write while step-up is on. */
  readonly stepUpExemptApiKeys: boolean;
  /** Mutation fields one operation may hold (aliases counted). */
  readonly writesPerOperation: number;
}

/**
 * What a write must be beyond its scope: sent by POST with a JSON body (a mutation over GET is refused,
 * by Yoga and here audited), at most `writesPerOperation` actions in one operation, and, for a token, a
 * sign-in recent enough (`auth_time`, RFC 9470 step-up: 401 with `insufficient_user_authentication`
 * and `max_age`). Every refusal is in the audit log, like the writes themselves (use-audit.ts).
 */
export function useWritePolicy(
  policy: WritePolicy,
  authenticator: Authenticator | null,
  audit: AuditSink | null,
  now: () => number = Date.now,
): Plugin<Context> {
  return {
    onRequest({ request, url }) {
      if (request.method !== 'GET' || url.pathname !== ROUTES.graphql || audit === null) return;
      const text = url.searchParams.get('query');
      if (text === null || !/\bmutation\b/.test(text) || !isMutationText(text)) return;
      // Refused before authentication runs (GET is never a write): the caller is named if it can be.
      const named = authenticator?.authenticate(request.headers);
      const record = (principal: Principal | null) =>
        audit({
          requestId: request.headers.get('x-request-id'),
          principal:
            principal === null
              ? { kind: 'unknown', subject: 'unknown' }
              : { kind: principal.kind, subject: principal.subject },
          operation: { name: null, hash: '' },
          directories: [],
          users: 0,
          scopeClasses: [],
          refused: ['BAD_REQUEST: a mutation over GET'],
        });
      if (named === undefined) return record(null);
      return Promise.resolve(named).then((result) => record(isFailure(result) ? null : result));
    },
    onExecute({ args, setResultAndStopExecution }) {
      const operation = getOperationAST(args.document, args.operationName);
      if (operation?.operation !== 'mutation') return;
      const writes = countFields(operation, args.document);
      if (writes > policy.writesPerOperation) {
        setResultAndStopExecution({
          errors: [
            publicError(
              CODE.QUERY_TOO_COMPLEX,
              `Query too complex: writes ${writes} is over the limit of ${policy.writesPerOperation} (one action per operation: send them one by one).`,
              {
                limit: 'writesPerOperation',
                max: policy.writesPerOperation,
                measured: writes,
                http: { status: 400 },
              },
            ),
          ],
        });
        return;
      }
      const stale = staleSignIn(args.contextValue.principal, policy, now());
      if (stale !== null) {
        const maxAge = policy.stepUpMaxAgeSeconds;
        setResultAndStopExecution({
          errors: [
            publicError(CODE.STEP_UP_REQUIRED, stale, {
              maxAge,
              http: {
                status: 401,
                headers: {
                  'www-authenticate': `Bearer error="insufficient_user_authentication", error_description="${stale}", max_age=${maxAge}`,
                },
              },
            }),
          ],
        });
      }
    },
  };
}

/** Why the principal may not write now, or null when it may. */
function staleSignIn(principal: Principal, policy: WritePolicy, now: number): string | null {
  if (policy.stepUpMaxAgeSeconds === 0 || principal.kind === 'open') return null;
  // A caller who may not write at all is told so by the field's scope (FORBIDDEN), not asked to sign in.
  if (!WRITE_SCOPES.some((scope) => principal.scopes.has(scope))) return null;
  if (principal.kind === 'api-key') {
    return policy.stepUpExemptApiKeys
      ? null
      : 'An API key cannot write while step-up is on (auth.stepUpExemptApiKeys)';
  }
  if (principal.authTime === undefined) return 'The token does not say when its holder signed in (auth_time)';
  if (now - principal.authTime > policy.stepUpMaxAgeSeconds * 1000) {
    return `Sign in again: writes need a sign-in within the last ${policy.stepUpMaxAgeSeconds} s`;
  }
  return null;
}

function isMutationText(text: string): boolean {
  try {
    return parse(text, { maxTokens: 10_000 }).definitions.some(
      (definition) => definition.kind === Kind.OPERATION_DEFINITION && definition.operation === 'mutation',
    );
  } catch {
    return false;
  }
}

/** Root fields of the operation, each fragment counted once per place it is spread (linear: memoised). */
function countFields(operation: OperationDefinitionNode, document: DocumentNode): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const counted = new Map<string, number>();
  const count = (set: SelectionSetNode, seen: ReadonlySet<string>): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) total += selection.name.value.startsWith('__') ? 0 : 1;
      else if (selection.kind === Kind.INLINE_FRAGMENT) total += count(selection.selectionSet, seen);
      else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (fragment === undefined || seen.has(name)) continue;
        let known = counted.get(name);
        if (known === undefined) {
          known = count(fragment.selectionSet, new Set([...seen, name]));
          counted.set(name, known);
        }
        total += known;
      }
      // Saturate: past the limit the exact figure does not matter.
      if (total > 1_000) return total;
    }
    return total;
  };
  return count(operation.selectionSet, new Set());
}
