import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import type { Principal } from '../../auth/principal.js';
import { CODE } from '../../codes/public-codes.js';
import { normalizeId } from '../../documents/manifest.js';
import type { TrustedDocuments, TrustedMode } from '../../documents/trusted-documents.js';
import { publicError } from '../../graphql/graphql-errors.js';

/** The scope that lets a principal send documents outside the manifest in `only` mode (GraphiQL, scripts). */
export const ARBITRARY_SCOPE = 'documents:arbitrary';

const persistedHash = (params: GraphQLParams): string | null => {
  const persisted = (
    params.extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | undefined
  )?.persistedQuery;
  return persisted?.version === 1 && typeof persisted.sha256Hash === 'string' ? persisted.sha256Hash : null;
};

/** The trusted document a request names: `documentId` (either form), else Apollo's persistedQuery hash. */
export const documentIdOf = (params: GraphQLParams): string | null => {
  const id = (params as { documentId?: unknown }).documentId;
  return typeof id === 'string' ? normalizeId(id) : (persistedHash(params) ?? null);
};

/**
 * Trusted documents (Apollo's persisted query safelisting, Hive's persisted documents): a request names
 * a document of the manifest by `documentId` (GraphQL Code Generator, Hive, Relay) or by
 * `extensions.persistedQuery.sha256Hash` (Apollo Client), or sends a trusted document's own text; it
 * then executes the document prepared at load (parsed, validated, compiled). Anything else is an
 * arbitrary document: served in `prefer` mode; in `only` mode refused (PERSISTED_QUERY_REQUIRED) unless
 * the principal holds `documents:arbitrary`. The lookup itself is @graphql-yoga/plugin-persisted-operations.
 */
export function useTrustedDocuments(
  store: TrustedDocuments,
  mode: TrustedMode,
): Plugin<object, { principal?: Principal }>[] {
  return [
    {
      onParams({ params, setParams, context }) {
        const named = documentIdOf(params);
        if (typeof params.query === 'string') {
          // The text of a trusted document, or an Apollo client registering one it hashed itself.
          const id = store.idOfText(params.query);
          if (id !== undefined && (named === null || named === id)) {
            setParams({ ...params, query: undefined, documentId: id } as GraphQLParams);
            return;
          }
          if (mode === 'only' && context.principal?.scopes.has(ARBITRARY_SCOPE) !== true) {
            throw publicError(
              CODE.PERSISTED_QUERY_REQUIRED,
              'This server runs trusted documents only: send a documentId (or Apollo’s persistedQuery hash) from the manifest, or use a credential with the scope "documents:arbitrary".',
              { http: { status: 400 } },
            );
          }
          // Arbitrary text with a hash beside it: run the text (the hash names nothing trusted).
          if (named !== null)
            setParams({ ...params, extensions: { ...params.extensions, persistedQuery: undefined } });
        }
      },
    },
    usePersistedOperations({
      allowArbitraryOperations: true,
      extractPersistedOperationId: (params) => documentIdOf(params),
      getPersistedOperation: (id) => store.get(id) ?? null,
      // Validated against the schema when the manifest was loaded.
      skipDocumentValidation: true,
      customErrors: {
        notFound: {
          message: 'No trusted document has this id (documentId or persistedQuery.sha256Hash).',
          extensions: { code: CODE.PERSISTED_QUERY_NOT_FOUND, http: { status: 400 } },
        },
        keyNotFound: {
          message: 'Send a query, or the id of a trusted document (documentId or extensions.persistedQuery).',
          extensions: { code: CODE.BAD_REQUEST, http: { status: 400 } },
        },
      },
    }) as Plugin<object, { principal?: Principal }>,
  ];
}

/**
 * Without trusted documents, a request that sends only a hash (Apollo Client's persisted-queries link,
 * on by default in some setups) is told this server keeps none, in the words the link knows, so it
 * stops hashing and sends the text; otherwise it would get "Must provide query string" and give up.
 */
export function usePersistedQueriesNotSupported(): Plugin {
  return {
    onParams({ params }) {
      if (typeof params.query === 'string' || documentIdOf(params) === null) return;
      throw publicError(CODE.PERSISTED_QUERY_NOT_SUPPORTED, 'PersistedQueryNotSupported', {
        http: { status: 400 },
      });
    },
  };
}
