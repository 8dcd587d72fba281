import { GraphQLError } from 'graphql';
import { afterEach, expect, it, vi } from 'vitest';
import { UpstreamError } from '../src/directory/failures.js';
import { DirectoryFailure } from '../src/errors.js';
import { createLogger } from '../src/logger.js';

afterEach(() => vi.restoreAllMocks());

function failure(detail: string) {
  const cause = new UpstreamError({
    provider: 'monocloud',
    kind: 'bad_request',
    operation: 'GET /api/users/{id}',
    status: 422,
    providerCode: 'https://httpstatuses.io/422#validation-error',
    detail,
  });
  return new GraphQLError('masked', { originalError: new DirectoryFailure('acme', cause) });
}

it('logs a directory failure without the upstream’s text, and a batch’s 2000 alike as one line and a count', () => {
  const lines: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => lines.push(args.join(' ')));
  const logger = createLogger('info');
  for (let i = 0; i < 2000; i += 1) logger.error(failure('Validation failed for user alice@example.com'));
  logger.error('something else');
  expect(lines).toEqual([
    'directory "acme": monocloud GET /api/users/{id}: bad_request (HTTP 422): https://httpstatuses.io/422#validation-error',
    '(1999 more like: directory "acme": monocloud GET /api/users/{id}: bad_request (HTTP 422): https://httpstatuses.io/422#validation-error)',
    'something else',
  ]);
  expect(lines.join('\n')).not.toContain('alice@example.com');
});
