import { describe, expect, it } from 'vitest';
import {
  codeFor,
  DirectoryFailure,
  publicDirectoryError,
  upstreamErrorFor,
} from '../src/codes/failure-codes.js';
import { InvalidPageRequest, ScanBudgetExhaustedError, UpstreamError } from '../src/directory/failures.js';

// The one status rule (src/errors.ts) and the one table of public codes.

const answer = (status: number, headers: Record<string, string> = {}) => ({
  status,
  header: (name: string) => headers[name] ?? null,
});

describe('the status rule', () => {
  it('gives each status its kind and says which may be retried', () => {
    const table = [400, 401, 403, 404, 408, 409, 422, 429, 500, 501, 502, 503, 504, 505].map((status) => {
      const error = upstreamErrorFor('zitadel', 'POST /v2/users', answer(status));
      return [status, error.kind, error.retryable];
    });
    expect(table).toEqual([
      [400, 'bad_request', false],
      [401, 'unauthorized', false],
      [403, 'forbidden', false],
      [404, 'not_found', false],
      [408, 'timeout', true],
      [409, 'bad_request', false],
      [422, 'bad_request', false],
      [429, 'rate_limited', true],
      [500, 'unavailable', true],
      [501, 'unavailable', false],
      [502, 'unavailable', true],
      [503, 'unavailable', true],
      [504, 'timeout', true],
      [505, 'unavailable', false],
    ]);
  });

  it('keeps a provider’s error identifier only when it has the shape of one (never words that may quote a request)', () => {
    const code = (providerCode: string) =>
      upstreamErrorFor('monocloud', 'GET /api/users', answer(404), { providerCode }).providerCode;
    expect(code('InvalidSession')).toBe('InvalidSession');
    expect(code('https://httpstatuses.io/404')).toBe('https://httpstatuses.io/404');
    expect(code('PERMISSION_DENIED')).toBe('PERMISSION_DENIED');
    expect(code('User jane@example.com not found')).toBeNull();
    expect(code('jane@example.com')).toBeNull();
    expect(code('Not Found')).toBeNull();
    expect(code('x'.repeat(101))).toBeNull();
    expect(code('')).toBeNull();
  });

  it('reads Retry-After on 429 and 503 only', () => {
    const later = { 'retry-after': '2' };
    expect(upstreamErrorFor('monocloud', 'GET /api/users', answer(429, later)).retryAfterMs).toBe(2000);
    expect(upstreamErrorFor('monocloud', 'GET /api/users', answer(503, later)).retryAfterMs).toBe(2000);
    expect(upstreamErrorFor('monocloud', 'GET /api/users', answer(502, later)).retryAfterMs).toBeNull();
  });

  it('a call the caller ended is never retried', () => {
    const error = new UpstreamError({
      provider: 'zitadel',
      kind: 'timeout',
      operation: 'x',
      callerCaused: true,
    });
    expect(error.retryable).toBe(false);
  });
});

describe('public codes', () => {
  it('has a row for every failure a directory can raise', () => {
    expect(codeFor(upstreamErrorFor('zitadel', 'x', answer(401)))).toBe('DIRECTORY_UNAUTHORIZED');
    expect(codeFor(upstreamErrorFor('zitadel', 'x', answer(429)))).toBe('DIRECTORY_RATE_LIMITED');
    expect(codeFor(new ScanBudgetExhaustedError('acme', 10))).toBe('SCAN_BUDGET_EXHAUSTED');
    expect(codeFor(new InvalidPageRequest('no', 'after'))).toBe('BAD_USER_INPUT');
    expect(codeFor(new Error('bug'))).toBe('DIRECTORY_ERROR');
  });

  it('a scan that ran out of budget is SCAN_BUDGET_EXHAUSTED, not an unexpected failure', () => {
    const { message, extensions } = publicDirectoryError(
      new DirectoryFailure('mobile', new ScanBudgetExhaustedError('mobile', 40)),
    );
    expect(extensions).toEqual({ code: 'SCAN_BUDGET_EXHAUSTED', directory: 'mobile', pagesScanned: 40 });
    expect(message).toContain('40 pages');
  });
});
