import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { type DocumentNode, type ExecutionResult, GraphQLError, getOperationAST } from 'graphql';
import {
  createGraphQLError,
  isPromise,
  type Plugin,
  processRegularResult,
  type YogaServerInstance,
} from 'graphql-yoga';
import type { LRUCache } from 'lru-cache';
import type { Authenticator } from '../auth/authenticator.js';
import { isFailure } from '../auth/failure.js';
import type { Principal } from '../auth/principal.js';
import type { TrustedDocuments } from '../documents/trusted-documents.js';
import { VERIFIED } from '../plugins/access/use-auth.js';
import { documentIdOf } from '../plugins/access/use-trusted-documents.js';
import { ROUTES } from '../plugins/hygiene/use-routes.js';

/**
 * The lane for the common request: POST /graphql with a JSON query a client has sent before, or naming a
 * trusted document. Yoga's request pipeline costs ~0.26 ms of CPU per request with I/O under it
 * (BENCHMARKS.md, "The lane"), as much as everything else usergraph does for one user; the lane runs the same plugins' hooks in Yoga's
 * order and envelop as Yoga would, without the pipeline around them. It takes only requests whose every
 * branch it follows Yoga on; anything else — another path or method, a browser's (Origin), a body it
 * would have to stream or refuse, a document not parsed before, an unusual Accept, credentials that do
 * not verify (checked before the body is read, as Yoga does) — goes to Yoga whole, before any hook has
 * run, so every refusal and every rare case keeps exactly one implementation.
 */
export interface LaneOptions {
  /** The documents Yoga parsed and kept (app.ts): a query text not in it (nor trusted) goes through Yoga. */
  readonly documents: LRUCache<string, DocumentNode>;
  /** `limits.queryBytes`: a longer query is refused by Yoga (use-limits.ts), not here. */
  readonly queryBytes: number;
  /** `server.maxBodyBytes`: a longer body is refused by Yoga (use-body-limit.ts). */
  readonly maxBodyBytes: number;
  /**
   * Asked before the body is read, so a caller without valid credentials costs no more than under Yoga
   * (which refuses before reading): such a request goes to Yoga unread, and gets its 401 there. Null:
   * authentication off. The principal found rides on to the auth hook (use-auth.ts, VERIFIED), which
   * does not ask again.
   */
  readonly authenticator: Authenticator | null;
  /**
   * Trusted documents (config `trustedDocuments`), null when off. A body naming a document of the
   * manifest (`documentId`, Apollo's persistedQuery hash) or sending one's text takes the lane, as does
   * a text Yoga parsed before; what the plugin does with it (use-trusted-documents.ts: `prefer` or
   * `only`, the lookup, the prepared plan) runs in the lane as it runs under Yoga.
   */
  readonly trusted: TrustedDocuments | null;
}

/** How many requests the lane answered, sent on to Yoga unread, and sent on to Yoga after reading. */
export interface LaneCounts {
  lane: number;
  yoga: number;
  replayed: number;
}

export type LaneListener = RequestListener & { readonly counts: LaneCounts };

type Hooked = Plugin<Record<string, unknown>, Record<string, unknown>>;
/** What each hook is handed, as Yoga's own types say (read off its Plugin type: not all are exported). */
type Hook<K extends keyof Hooked> = Extract<NonNullable<Hooked[K]>, (payload: never) => unknown>;
type Payload<K extends keyof Hooked> = Parameters<Hook<K>>[0];
type RequestParseDone = NonNullable<
  Exclude<Awaited<ReturnType<NonNullable<Hooked['onRequestParse']>>>, void>['onRequestParseDone']
>;
type Processor = NonNullable<Payload<'onResultProcess'>['resultProcessor']>;
type GraphQLParams = Payload<'onParams'>['params'];
type Yoga = YogaServerInstance<Record<string, unknown>, Record<string, unknown>>;
type MaskedErrors = {
  maskError(error: unknown, message: string, isDev: boolean): Error;
  errorMessage: string;
  isDev: boolean;
};

/** Content types Yoga's JSON parser takes, exactly as written (its match is case-sensitive). */
const JSON_TYPES = new Set([
  'application/json',
  'application/json; charset=utf-8',
  'application/json;charset=utf-8',
]);
const PARAM_KEYS = new Set(['query', 'variables', 'operationName', 'extensions']);
const ORIGIN = 'http://localhost';

export function createLane(yoga: Yoga, plugins: readonly Hooked[], options: LaneOptions): LaneListener {
  // A plugin that adds plugins when Yoga starts would have hooks the lane never sees: refuse at start.
  if (plugins.some((plugin) => plugin.onPluginInit !== undefined)) {
    throw new Error('the lane drives the plugins it is given; one adds plugins of its own (onPluginInit)');
  }
  const counts: LaneCounts = { lane: 0, yoga: 0, replayed: 0 };
  // Each kind of hook in plugin order, as Yoga lists them. A hook's value is awaited only when it is a
  // promise (isPromise): most answer synchronously, and each await would cost a microtask turn.
  const hooks = <K extends keyof Hooked>(name: K) =>
    plugins.flatMap((plugin) => (plugin[name] ? [plugin[name] as Hook<K>] : []));
  const onRequest = hooks('onRequest');
  const onRequestParse = hooks('onRequestParse');
  const onParams = hooks('onParams');
  const onResultProcess = hooks('onResultProcess');
  const onResponse = hooks('onResponse');
  const { fetchAPI } = yoga;

  const serve = async (
    req: IncomingMessage,
    res: ServerResponse,
    given: Request,
    body: Buffer,
    mediaType: string,
    principal: Principal | undefined,
  ) => {
    const params = paramsOf(body, options);
    if (params === null || !known(params, options)) {
      counts.replayed += 1;
      return replay(yoga, req, res, given, body);
    }
    counts.lane += 1;
    let request = given;
    const url = new fetchAPI.URL(request.url);
    const serverContext = { req, res, waitUntil, [VERIFIED]: principal };
    let response: Response | undefined;
    for (const hook of onRequest) {
      const payload: Payload<'onRequest'> = {
        request,
        setRequest: (next) => {
          request = next;
        },
        serverContext,
        fetchAPI,
        url,
        requestHandler: unsupported,
        setRequestHandler: unsupported,
        endResponse: (next) => {
          response = next;
        },
      };
      const pending = hook(payload);
      if (isPromise(pending)) await pending;
      if (response !== undefined) break;
    }
    if (response === undefined) response = await answer(request, url, serverContext, params, mediaType);
    for (const hook of onResponse) {
      const payload: Payload<'onResponse'> = {
        request,
        response,
        serverContext,
        setResponse: (next) => {
          response = next;
        },
        fetchAPI,
      };
      const pending = hook(payload);
      if (isPromise(pending)) await pending;
    }
    await write(res, response);
  };

  const answer = async (
    request: Request,
    url: URL,
    serverContext: Payload<'onRequest'>['serverContext'],
    given: GraphQLParams,
    mediaType: string,
  ): Promise<Response> => {
    let params: GraphQLParams = given;
    let result: Payload<'onResultProcess'>['result'] | undefined;
    try {
      const done: RequestParseDone[] = [];
      for (const hook of onRequestParse) {
        const payload: Payload<'onRequestParse'> = {
          request,
          url,
          serverContext,
          requestParser: undefined,
          setRequestParser: unsupported,
          endResponse: unsupported,
          fetchAPI,
        };
        let returned = hook(payload);
        if (isPromise(returned)) returned = await returned;
        if (returned?.onRequestParseDone) done.push(returned.onRequestParseDone);
      }
      for (const hook of done) {
        const pending = hook({
          requestParserResult: params,
          setRequestParserResult: (next) => {
            // Batches are not the lane's (a body of one operation came in, one goes on).
            if (Array.isArray(next)) unsupported();
            params = next;
          },
        });
        if (isPromise(pending)) await pending;
      }
      for (const hook of onParams) {
        const payload: Payload<'onParams'> = {
          params,
          request,
          setParams: (next) => {
            params = next;
          },
          paramsHandler: unsupported,
          setParamsHandler: unsupported,
          setResult: (next) => {
            result = next;
          },
          fetchAPI,
          context: serverContext,
        };
        const pending = hook(payload);
        if (isPromise(pending)) await pending;
      }
      result ??= await execute(yoga, serverContext, request, params);
    } catch (error) {
      result = { errors: handleError(yoga, error) };
    }
    let processor: Processor = processRegularResult as Processor;
    let accepted = mediaType;
    for (const hook of onResultProcess) {
      const payload: Payload<'onResultProcess'> = {
        request,
        acceptableMediaTypes: [],
        result: result ?? { errors: [] },
        setResult: (next) => {
          result = next;
        },
        resultProcessor: processor,
        setResultProcessor: (next, type) => {
          processor = next;
          accepted = type;
        },
        serverContext,
      };
      const pending = hook(payload);
      if (isPromise(pending)) await pending;
    }
    return processor(result ?? { errors: [] }, fetchAPI, accepted);
  };

  const listener: RequestListener = (req, res) => {
    const mediaType = eligible(req, options);
    if (mediaType === null) {
      counts.yoga += 1;
      return yoga(req, res);
    }
    const request = new fetchAPI.Request(`${ORIGIN}${ROUTES.graphql}`, {
      method: 'POST',
      headers: req.headers as Record<string, string>,
      signal: closing(res),
    });
    const read = (principal?: Principal) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
        serve(req, res, request, body, mediaType, principal).catch((error: unknown) => {
          yoga.logger.error(error);
          if (!res.headersSent) res.writeHead(500);
          res.end();
        });
      });
    };
    const toYoga = () => {
      counts.yoga += 1;
      void yoga(req, res);
    };
    const verdict = options.authenticator?.authenticate(request.headers);
    if (verdict === undefined) return read();
    if (!isPromise(verdict)) return isFailure(verdict) ? toYoga() : read(verdict);
    verdict.then((settled) => (isFailure(settled) ? toYoga() : read(settled)), toYoga);
  };
  return Object.assign(listener, { counts });
}

/**
 * The media type the answer will have, when the request may take the lane; null sends it to Yoga.
 * Yoga's negotiation (its result processors) picks, among the Accept entries in order, the first that
 * a JSON processor matches, and `application/json` where both would.
 */
function eligible(req: IncomingMessage, options: LaneOptions): string | null {
  if (req.method !== 'POST' || req.url !== ROUTES.graphql) return null;
  const headers = req.headers;
  if (headers.origin !== undefined || headers['transfer-encoding'] !== undefined) return null;
  const type = headers['content-type'];
  if (type === undefined || !JSON_TYPES.has(type)) return null;
  const length = headers['content-length'];
  if (length === undefined || !/^\d{1,9}$/.test(length) || Number(length) > options.maxBodyBytes) return null;
  return mediaTypeFor(headers.accept);
}

function mediaTypeFor(accept: string | undefined): string | null {
  for (const entry of (accept ?? '*/*').replace(/\s/g, '').toLowerCase().split(',')) {
    const [type, ...rest] = entry.split(';');
    // Yoga's result processors serve utf-8 only; an entry naming another charset is skipped.
    const charset = rest.find((param) => param.includes('charset=')) ?? 'charset=utf-8';
    if (charset !== 'charset=utf-8') continue;
    if (type === '*/*' || type === 'application/*' || type === 'application/json') return 'application/json';
    if (type === 'application/graphql-response+json') return 'application/graphql-response+json';
    // Any other entry (an event stream, multipart, a pattern such as `*/json`) is Yoga's to weigh.
    return null;
  }
  return null;
}

/**
 * The body as GraphQL parameters of one operation, each of a type Yoga takes (`documentId` only with
 * trusted documents, Yoga's one extra parameter then); null for anything Yoga should judge.
 */
function paramsOf(body: Buffer, options: LaneOptions): GraphQLParams | null {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const params = value as Record<string, unknown>;
  for (const key in params) {
    if (!PARAM_KEYS.has(key) && (key !== 'documentId' || options.trusted === null)) return null;
  }
  const { query, variables, operationName, extensions, documentId } = params;
  if (!absentOr(query, 'string') || (typeof query === 'string' && query.length > options.queryBytes))
    return null;
  if (!absentOr(variables, 'object') || !absentOr(extensions, 'object')) return null;
  if (!absentOr(operationName, 'string') || !absentOr(documentId, 'string')) return null;
  // JSON `null`s pass as Yoga passes them (its parser hands the parsed body on as it is).
  return params as GraphQLParams;
}

/** Absent, null, or of the type named (an object that is not an array). */
function absentOr(value: unknown, type: 'string' | 'object'): boolean {
  return value === undefined || value === null || (typeof value === type && !Array.isArray(value));
}

/**
 * A document the lane can run as Yoga would: a text Yoga parsed before, or with trusted documents a
 * manifest's document named alone or sent as its text. A text with an id beside it, an id the manifest
 * lacks, a body with neither: Yoga's (and the plugin's) to answer.
 */
function known(params: GraphQLParams, options: LaneOptions): boolean {
  const { query } = params;
  const trusted = options.trusted;
  if (trusted === null) return typeof query === 'string' && options.documents.has(query);
  const named = documentIdOf(params);
  if (typeof query === 'string')
    return named === null && (trusted.idOfText(query) !== undefined || options.documents.has(query));
  return named !== null && trusted.get(named) !== undefined;
}

/**
 * Yoga with the body already read: the request as Yoga's node adapter would have made it, answered
 * through Yoga's fetch entry (with a JSON Accept the answer is never a stream).
 */
async function replay(
  yoga: Yoga,
  req: IncomingMessage,
  res: ServerResponse,
  given: Request,
  body: Buffer,
): Promise<void> {
  const request = new yoga.fetchAPI.Request(given.url, {
    method: 'POST',
    headers: given.headers,
    ...(body.byteLength > 0 ? { body: body as Uint8Array<ArrayBuffer> } : {}),
    signal: given.signal,
  });
  await write(res, await yoga.fetch(request, { req, res, waitUntil }));
}

/** Aborts when the client goes before its answer is written, as Yoga's node adapter does. */
function closing(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

/** Yoga's processRequest: parse and validate (cached), the context, then execute or subscribe. */
async function execute(
  yoga: Yoga,
  context: Record<string, unknown>,
  request: Request,
  params: GraphQLParams,
): Promise<ExecutionResult | AsyncIterable<ExecutionResult>> {
  Object.assign(context, { request, params });
  const enveloped = yoga.getEnveloped(context);
  // As Yoga: a hook that took the query away gets the parser's own error.
  const document = enveloped.parse(params.query as string);
  const errors = enveloped.validate(enveloped.schema, document);
  if (errors.length > 0) return { errors };
  const contextValue = await enveloped.contextFactory();
  const args = {
    schema: enveloped.schema,
    document,
    contextValue,
    variableValues: params.variables,
    operationName: params.operationName,
  };
  const operation = getOperationAST(document, params.operationName ?? undefined);
  return (
    operation?.operation === 'subscription' ? enveloped.subscribe(args) : enveloped.execute(args)
  ) as Promise<ExecutionResult | AsyncIterable<ExecutionResult>>;
}

/** Yoga's handleError for one thrown error: masked as Yoga masks it. */
function handleError(yoga: Yoga, error: unknown): GraphQLError[] {
  if (error instanceof AggregateError)
    return error.errors.flatMap((each: unknown) => handleError(yoga, each));
  if (error instanceof Error && error.name === 'AbortError') return [];
  const masking = (yoga as unknown as { maskedErrorsOpts: MaskedErrors | null }).maskedErrorsOpts;
  if (masking === null)
    return [
      error instanceof GraphQLError
        ? error
        : createGraphQLError(String(error), { extensions: { unexpected: true } }),
    ];
  const masked = masking.maskError(error, masking.errorMessage, masking.isDev);
  if (masked !== error) yoga.logger.error(error);
  return [
    masked instanceof GraphQLError ? masked : createGraphQLError(masked.message, { originalError: masked }),
  ];
}

/**
 * Writes a Response as @whatwg-node/server does: its headers as given, a body without a declared length
 * chunked. (Its text, not its `body`: that getter makes a stream.)
 */
async function write(res: ServerResponse, response: Response): Promise<void> {
  if (res.writableEnded || res.destroyed) return;
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    const known = headers[name];
    headers[name] = known === undefined ? value : [...(Array.isArray(known) ? known : [known]), value];
  });
  const text = await response.text();
  if (response.statusText) res.writeHead(response.status, response.statusText, headers);
  else res.writeHead(response.status, headers);
  if (headers['content-length'] !== undefined || text === '') res.end(text);
  else {
    res.write(text);
    res.end();
  }
}

/** What @whatwg-node/server gives hooks to finish work after the response: here, nothing waits. */
function waitUntil(promise: Promise<void> | void): void {
  promise?.catch(() => {});
}

function unsupported(): never {
  throw new Error('the lane does not support this hook action');
}
