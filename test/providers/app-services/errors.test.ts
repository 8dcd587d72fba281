import { describe, expect, it } from 'vitest';
import { upstreamErrorFor } from '../../../src/codes/failure-codes.js';
import type { HttpResponse } from '../../../src/http/client.js';
import { appServicesErrorFacts } from '../../../src/providers/app-services/error-body.js';

function response(status: number, body: string, headers: Record<string, string> = {}): HttpResponse {
  return { status, body, header: (name) => headers[name.toLowerCase()] ?? null };
}

function upstreamError(operation: string, answer: HttpResponse, now: number) {
  return upstreamErrorFor('app-services', operation, answer, appServicesErrorFacts(answer), now);
}

describe('app-services error bodies through the status rule', () => {
  it('keeps error_code as providerCode and drops the free-text error', () => {
    const error = upstreamError(
      'GET /x',
      response(400, '{"error":"bad value for key abc123-secret","error_code":"InvalidParameter"}'),
      0,
    );
    expect(error).toMatchObject({ kind: 'bad_request', status: 400, providerCode: 'InvalidParameter' });
    expect(error.message).toBe('app-services GET /x: bad_request (HTTP 400): InvalidParameter');
  });

  it('a body that is not JSON (or not the error shape) gives no providerCode', () => {
    expect(upstreamError('GET /x', response(502, '<html>Bad Gateway</html>'), 0).providerCode).toBeNull();
    expect(upstreamError('GET /x', response(500, '"oops"'), 0).providerCode).toBeNull();
    expect(upstreamError('GET /x', response(500, ''), 0).kind).toBe('unavailable');
  });

  it('reads Retry-After on 429 and 503, as seconds or an HTTP date, and nowhere else', () => {
    const now = Date.parse('2025-03-01T12:00:00Z');
    expect(upstreamError('GET /x', response(429, '', { 'retry-after': '3' }), now).retryAfterMs).toBe(3000);
    const date = response(429, '', { 'retry-after': 'Sat, 01 Mar 2025 12:00:10 GMT' });
    expect(upstreamError('GET /x', date, now).retryAfterMs).toBe(10_000);
    expect(upstreamError('GET /x', response(503, '', { 'retry-after': '3' }), now).retryAfterMs).toBe(3000);
    expect(upstreamError('GET /x', response(500, '', { 'retry-after': '3' }), now).retryAfterMs).toBeNull();
  });
});
