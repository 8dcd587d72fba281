import type { Plugin } from 'graphql-yoga';
import { CODE } from '../../codes/public-codes.js';
import { refusalResponse } from '../../graphql/graphql-errors.js';

/**
 * The default: what the largest request within the default caps needs (500 ids, 100 addresses of 254
 * characters, a 32 KB query) many times over, and Apollo Router's default. Yoga's own is 25 MB.
 */
export const MAX_REQUEST_BODY_BYTES = 2_000_000;

const REFUSED: Readonly<Record<400 | 413, string>> = {
  400: 'Invalid Content-Length',
  413: 'Request body too large',
};

/**
 * The request body limit. Yoga's own (`maxRequestBodySize`) pipes every body through a TransformStream
 * to count it (BENCHMARKS.md, "Hand-tuned spots"). A body that declares its length is
 * checked from Content-Length alone (node:http never reads past it): over the limit is 413 at once. Only
 * a chunked body, which declares none, is read here, counting, and refused with 413 as soon as it
 * passes the limit.
 */
export function useBodyLimit(limit = MAX_REQUEST_BODY_BYTES): Plugin {
  return {
    onRequest({ request, endResponse, setRequest, fetchAPI }) {
      if (request.method !== 'POST') return;
      const length = request.headers.get('content-length');
      if (length !== null) {
        if (!/^\d+$/.test(length)) endResponse(refusal(fetchAPI, 400, limit));
        else if (Number(length) > limit) endResponse(refusal(fetchAPI, 413, limit));
        return;
      }
      return readUpTo(request, limit).then((body) => {
        if (body === null) return endResponse(refusal(fetchAPI, 413, limit));
        const headers = new fetchAPI.Headers(request.headers);
        headers.delete('transfer-encoding');
        headers.set('content-length', String(body.byteLength));
        setRequest(new fetchAPI.Request(request.url, { method: 'POST', headers, body }));
      });
    },
  };
}

function refusal(fetchAPI: { Response: typeof Response }, status: 400 | 413, limit: number): Response {
  return status === 413
    ? refusalResponse(fetchAPI, CODE.PAYLOAD_TOO_LARGE, `${REFUSED[status]}: at most ${limit} bytes.`, {
        max: limit,
      })
    : refusalResponse(fetchAPI, CODE.BAD_REQUEST, REFUSED[status]);
}

/** The whole body, or null as soon as it passes `limit` bytes (the rest is never read). */
async function readUpTo(request: Request, limit: number): Promise<Uint8Array<ArrayBuffer> | null> {
  const reader = request.body?.getReader();
  if (reader === undefined) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
