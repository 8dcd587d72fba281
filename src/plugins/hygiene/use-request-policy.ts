import { BREAK, type DocumentNode, Kind, type ValueNode, visit } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { CODE } from '../../codes/public-codes.js';
import { publicError, refusalResponse } from '../../graphql/graphql-errors.js';

/** A request that carries a credential in a header, which no cross-site page can make a browser send unasked. */
export function carriesCredential(headers: Headers): boolean {
  return headers.has('authorization') || headers.has('x-api-key');
}

/**
 * What a GraphQL request may look like, so that no other web page can make an employee's browser read
 * the directory (CSRF): a POST with `Content-Type: application/json`, which a browser only sends
 * cross-origin after a CORS preflight this server refuses unless the origin is allowed. Form posts,
 * multipart and `text/plain` never execute. A GET query executes when it carries a credential in a header
 * (`Authorization`, `X-API-Key`: a browser preflights such a request, as Apollo Router's CSRF prevention
 * reasons), which is what urql's and Apollo Client's GET preferences send; without one, only with
 * `allowGet`, and then without the scopes that read personal data (server/app.ts). Email addresses and
 * text filters never travel in a URL (proxy and server logs keep URLs): such a GET is refused, naming POST.
 */
export function useRequestPolicy(options: { readonly allowGet: boolean }): Plugin<{ request?: Request }> {
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      if (request.method === 'POST') {
        const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
        if (type !== 'application/json') {
          endResponse(refusal(fetchAPI, 415, 'GraphQL requests must be POSTed as application/json.'));
        }
        return;
      }
      if (request.method === 'GET' && (options.allowGet || carriesCredential(request.headers))) return;
      endResponse(
        refusal(
          fetchAPI,
          405,
          request.method === 'GET'
            ? 'A GET query needs a credential (Authorization or X-API-Key); otherwise use POST with Content-Type: application/json (urql: `preferGetMethod: false`).'
            : 'Use POST with Content-Type: application/json.',
          'GET, POST',
        ),
      );
    },
    onExecute({ args, setResultAndStopExecution }) {
      if (args.contextValue.request?.method !== 'GET') return;
      if (!sendsPersonalData(args.document, args.variableValues ?? {})) return;
      setResultAndStopExecution({
        errors: [
          publicError(
            CODE.BAD_REQUEST,
            'Email addresses and text filters are personal data and never travel in a URL: send this query by POST (urql: `preferGetMethod: false`; Apollo Client: leave `useGETForQueries` off).',
            { http: { status: 400 } },
          ),
        ],
      });
    },
  };
}

/** Whether an operation sends email addresses or text filters as arguments (literally or in variables). */
function sendsPersonalData(document: DocumentNode, variables: Readonly<Record<string, unknown>>): boolean {
  let found = false;
  const personal = (value: ValueNode): boolean => {
    if (value.kind === Kind.VARIABLE) {
      const given = variables[value.name.value];
      return typeof given === 'object' && given !== null && ('text' in given || 'email' in given);
    }
    return (
      value.kind === Kind.OBJECT &&
      value.fields.some((field) => field.name.value === 'text' || field.name.value === 'email')
    );
  };
  visit(document, {
    Field(node) {
      if (node.name.value === 'usersByEmail') found = true;
      for (const argument of node.arguments ?? []) {
        if (argument.name.value === 'filter' && personal(argument.value)) found = true;
      }
      return found ? BREAK : undefined;
    },
  });
  return found;
}

function refusal(
  fetchAPI: { Response: typeof Response },
  status: number,
  message: string,
  allow?: string,
): Response {
  return refusalResponse(
    fetchAPI,
    CODE.BAD_REQUEST,
    message,
    {},
    {
      status,
      ...(allow === undefined ? {} : { headers: { allow } }),
    },
  );
}
