import { type DocumentNode, type GraphQLSchema, Kind, parse, specifiedRules, validate } from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import { shapeOf } from '../cost/shape.js';
import { type ManifestEntry, sha256Hex } from './manifest.js';

/** How arbitrary documents are treated once a manifest is loaded (config `trustedDocuments.mode`). */
export type TrustedMode = 'prefer' | 'only';

/**
 * The operations a deployment trusts (its clients' persisted documents), prepared once at load: parsed,
 * validated against the schema, measured, and compiled with graphql-jit (each operation, whatever its
 * size: what runs is known and was vetted). A request names one by id, or sends the same text; either
 * way it executes the prepared document, so everything cached per document is already there.
 */
export class TrustedDocuments {
  private readonly byId: ReadonlyMap<string, DocumentNode>;
  private readonly compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery>>();

  private constructor(byId: ReadonlyMap<string, DocumentNode>) {
    this.byId = byId;
  }

  /** Prepares every entry; any that does not parse or validate is a problem, and nothing is served. */
  static prepare(
    schema: GraphQLSchema,
    entries: readonly ManifestEntry[],
    options: { readonly jit: boolean },
  ): TrustedDocuments {
    const problems: string[] = [];
    const byId = new Map<string, DocumentNode>();
    const store = new TrustedDocuments(byId);
    for (const { id, body } of entries) {
      let document: DocumentNode;
      try {
        document = parse(body);
      } catch (error) {
        problems.push(`document ${id}: does not parse (${(error as Error).message})`);
        continue;
      }
      const invalid = validate(schema, document, specifiedRules);
      if (invalid.length > 0) {
        problems.push(`document ${id}: does not validate against the schema (${invalid[0]?.message})`);
        continue;
      }
      shapeOf(document);
      byId.set(id, document);
      if (options.jit) store.compile(schema, document);
    }
    if (problems.length > 0) throw new TrustedDocumentsError(problems);
    return store;
  }

  get size(): number {
    return this.byId.size;
  }

  /** The prepared document with this id (`sha256:` prefix read off by the caller). */
  get(id: string): DocumentNode | undefined {
    return this.byId.get(id);
  }

  /** The id of a document sent as text, when the same text is trusted (its SHA-256 is its id). */
  idOfText(text: string): string | undefined {
    if (this.byId.size === 0) return undefined;
    const id = sha256Hex(text);
    return this.byId.has(id) ? id : undefined;
  }

  /** graphql-jit's code for one operation of a trusted document. */
  compiledFor(document: DocumentNode, operationName: string | undefined): CompiledQuery | undefined {
    const operations = this.compiled.get(document);
    if (operations === undefined) return undefined;
    return (
      operations.get(operationName ?? '') ?? (operations.size === 1 ? [...operations.values()][0] : undefined)
    );
  }

  private compile(schema: GraphQLSchema, document: DocumentNode): void {
    const operations = new Map<string, CompiledQuery>();
    for (const definition of document.definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      const name = definition.name?.value;
      const result = compileQuery(schema, document, name);
      if (isCompiledQuery(result)) operations.set(name ?? '', result);
    }
    this.compiled.set(document, operations);
  }
}

export class TrustedDocumentsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`trusted documents: ${problems.length} problem(s): ${problems.slice(0, 3).join('; ')}`);
  }
}
