import { createHash } from 'node:crypto';
import {
  type DocumentNode,
  type GraphQLField,
  type GraphQLSchema,
  getOperationAST,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { isScope, SCOPE_CLASS, type Scope } from '../../auth/scopes.js';
import type { Context } from '../../graphql/context.js';
import type { AuditSink } from '../../observability/audit.js';

/**
 * The audit log (observability/audit.ts): after each operation that touched a directory, one line
 * naming the principal, the operation, the directories, the users returned and the classes of personal
 * data it selected and was allowed to read. What a document selects is worked out once per document.
 */
export function useAudit(sink: AuditSink): Plugin<Context & { requestId?: string }> {
  const perDocument = new WeakMap<DocumentNode, { hash: string; scopes: ReadonlySet<Scope> }>();
  return {
    onExecute({ args }) {
      return {
        onExecuteDone({ result }) {
          const ctx = args.contextValue;
          // A mutation is audited whatever became of it (refused, dry run, failed); a query when it read.
          const mutation = getOperationAST(args.document, args.operationName)?.operation === 'mutation';
          if (ctx.read.directories.size === 0 && !mutation) return;
          let facts = perDocument.get(args.document);
          if (facts === undefined) {
            facts = {
              hash: createHash('sha256')
                .update(args.document.loc?.source.body ?? '')
                .digest('hex'),
              scopes: selectedScopes(args.schema, args.document),
            };
            perDocument.set(args.document, facts);
          }
          const classes = [...facts.scopes]
            .filter((scope) => ctx.principal.scopes.has(scope))
            .flatMap((scope) => SCOPE_CLASS[scope] ?? []);
          classes.push(...ctx.read.classes);
          sink({
            requestId: ctx.requestId ?? null,
            principal: { kind: ctx.principal.kind, subject: ctx.principal.subject },
            operation: {
              name: bounded(getOperationAST(args.document, args.operationName)?.name?.value),
              hash: facts.hash,
            },
            directories: [...ctx.read.directories].sort(),
            users: ctx.read.userCount,
            scopeClasses: [...new Set(classes)].sort(),
            ...(mutation ? { actions: ctx.actions, refused: refusals(result) } : {}),
          });
        },
      };
    },
  };
}

/** Every scope a field the document selects asks for (from the fields' `requiredScopes`). */
function selectedScopes(schema: GraphQLSchema, document: DocumentNode): ReadonlySet<Scope> {
  const found = new Set<Scope>();
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field() {
        for (const scope of fieldScopes(typeInfo.getFieldDef())) found.add(scope);
      },
    }),
  );
  return found;
}

function fieldScopes(field: GraphQLField<unknown, unknown> | null | undefined): readonly Scope[] {
  const options = field?.extensions?.pothosOptions as { requiredScopes?: readonly string[] } | undefined;
  return (options?.requiredScopes ?? []).filter(isScope);
}

/** An operation name is the caller's: the audit line takes its first 128 characters. */
function bounded(name: string | undefined): string | null {
  if (name === undefined) return null;
  return name.length > 128 ? `${name.slice(0, 128)}…` : name;
}

/** The codes of a mutation's errors (a refusal as a whole, a scope refused): what the audit keeps of them. */
function refusals(result: unknown): string[] {
  if (typeof result !== 'object' || result === null || Symbol.asyncIterator in result) return [];
  const errors = (result as { errors?: readonly { extensions?: { code?: unknown } }[] }).errors ?? [];
  return errors.map((error) =>
    typeof error.extensions?.code === 'string' ? error.extensions.code : 'UNCODED',
  );
}
