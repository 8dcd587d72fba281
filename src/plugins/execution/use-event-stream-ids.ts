import { isAsyncIterable } from '@envelop/core';
import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { CODE } from '../../codes/public-codes.js';
import type { Context } from '../../graphql/context.js';
import { publicError } from '../../graphql/graphql-errors.js';

/** A comment line every this often, so proxies and browsers keep an idle stream open. */
const KEEP_ALIVE_MS = 12_000;

/**
 * Server-Sent Events with ids: Yoga's own SSE answer (GraphQL over SSE, distinct connections) names no
 * event, so a browser's EventSource could not resume. Each `subscription { changes }` event goes out
 * with `id: <its cursor>`; an EventSource that reconnects sends it back as `Last-Event-ID`, and the
 * subscription resumes right after it (use-cases/subscribe-changes.ts). Other streams are written as
 * Yoga writes them: `event: next` blocks, a `:` keep-alive comment, `event: complete` at the end.
 */
export function useEventStreamIds(): Plugin<Context> {
  return {
    onResultProcess({ request, result, resultProcessor, setResultProcessor }) {
      if (!isAsyncIterable(result)) return;
      // A stream the caller cannot take (no Accept: text/event-stream): Yoga would answer an empty 406.
      if (resultProcessor === undefined) {
        setResultProcessor((input, fetchAPI) => notAStreamCaller(input, fetchAPI), 'application/json');
        return;
      }
      // Only where Yoga answers with SSE: the caller asked for it by name, and not for multipart
      // (which Yoga prefers for a stream when both are accepted).
      const accept = request.headers.get('accept') ?? '';
      if (!accept.includes('text/event-stream') || accept.includes('multipart/mixed')) return;
      const chosen = resultProcessor;
      const withIds: ResultProcessor = (input, fetchAPI, mediaType) =>
        mediaType === 'text/event-stream' && isAsyncIterable(input)
          ? eventStream(input, fetchAPI)
          : chosen(input, fetchAPI, mediaType);
      setResultProcessor(withIds, 'text/event-stream');
    },
  };
}

type ResultProcessPayload = Parameters<NonNullable<Plugin['onResultProcess']>>[0];
type ResultProcessor = Parameters<ResultProcessPayload['setResultProcessor']>[0];
type ResultProcessorInput = Parameters<ResultProcessor>[0];
type FetchAPI = Parameters<ResultProcessor>[1];

async function notAStreamCaller(input: ResultProcessorInput, fetchAPI: FetchAPI): Promise<Response> {
  // The subscription never ran (its generator starts on the first read): end it all the same.
  if (isAsyncIterable(input)) await input[Symbol.asyncIterator]().return?.();
  const error = publicError(
    CODE.OPERATION_NOT_SUPPORTED,
    'A subscription is answered as Server-Sent Events: send `Accept: text/event-stream` (graphql-sse’s client does).',
    { http: { status: 400 } },
  );
  return new fetchAPI.Response(serialize({ errors: [error] }), {
    status: 400,
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
  });
}

function eventStream(results: AsyncIterable<ResultProcessorInput>, fetchAPI: FetchAPI): Response {
  const encoder = new fetchAPI.TextEncoder();
  const iterator = results[Symbol.asyncIterator]();
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  const body = new fetchAPI.ReadableStream({
    start(controller) {
      // A first comment flushes the headers (some browsers wait for a first byte).
      controller.enqueue(encoder.encode(':\n\n'));
      keepAlive = setInterval(() => {
        if (controller.desiredSize === null) clearInterval(keepAlive);
        else if (controller.desiredSize > 0) controller.enqueue(encoder.encode(':\n\n'));
      }, KEEP_ALIVE_MS);
    },
    async pull(controller) {
      try {
        const { value, done } = await iterator.next();
        if (value !== undefined && value !== null) {
          const result = value as ExecutionResult;
          const id = cursorOf(result);
          controller.enqueue(
            encoder.encode(`${id === null ? '' : `id: ${id}\n`}event: next\ndata: ${serialize(result)}\n\n`),
          );
        }
        if (done) {
          clearInterval(keepAlive);
          controller.enqueue(encoder.encode('event: complete\ndata:\n\n'));
          controller.close();
        }
      } catch (error) {
        clearInterval(keepAlive);
        controller.error(error);
      }
    },
    async cancel() {
      clearInterval(keepAlive);
      await iterator.return?.();
    },
  });
  return new fetchAPI.Response(body, {
    status: 200,
    headers: {
      'Content-Type': 'text/event-stream',
      Connection: 'keep-alive',
      'Cache-Control': 'no-cache',
      'Content-Encoding': 'none',
    },
  });
}

/** The event's feed cursor, when it is one (a cursor is base64url: no line break can get in). */
function cursorOf(result: ExecutionResult): string | null {
  const changes = (result.data as { changes?: { cursor?: unknown } | null } | null | undefined)?.changes;
  const cursor = changes?.cursor;
  return typeof cursor === 'string' && /^[\w.-]+$/.test(cursor) ? cursor : null;
}

/** As Yoga writes a result: without its internal `http` and `unexpected` error extensions. */
function serialize(result: ExecutionResult): string {
  if (result.errors === undefined && result.extensions === undefined) return JSON.stringify(result);
  const { http: _http, ...extensions } = (result.extensions ?? {}) as Record<string, unknown>;
  return JSON.stringify({
    ...result,
    ...(result.errors === undefined
      ? {}
      : {
          errors: result.errors.map((error) => {
            const json = typeof error.toJSON === 'function' ? error.toJSON() : error;
            const { http: _h, unexpected: _u, ...rest } = (json.extensions ?? {}) as Record<string, unknown>;
            return {
              ...json,
              ...(Object.keys(rest).length === 0 ? { extensions: undefined } : { extensions: rest }),
            };
          }),
        }),
    extensions: Object.keys(extensions).length === 0 ? undefined : extensions,
  });
}
