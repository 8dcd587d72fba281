import { GraphQLError } from 'graphql';
import { expect, it } from 'vitest';
import { DirectoryFailure } from '../src/codes/failure-codes.js';
import { UpstreamError } from '../src/directory/failures.js';
import { createLog, yogaLogger } from '../src/observability/logger.js';
import { LogLines } from './support/log-lines.js';

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
  const out = new LogLines();
  const logger = yogaLogger(createLog({ level: 'info', destination: out }));
  for (let i = 0; i < 2000; i += 1) logger.error(failure('Validation failed for user alice@example.com'));
  logger.error('something else');
  const line =
    'directory "acme": monocloud GET /api/users/{id}: bad_request (HTTP 422): https://httpstatuses.io/422#validation-error';
  expect(out.lines.map((l) => [l.level, l.msg])).toEqual([
    [50, line],
    [50, `(1999 more like: ${line})`],
    [50, 'something else'],
  ]);
  expect(out.lines[1]?.repeats).toBe(1999);
  for (const l of out.lines) expect(Math.abs(Number(l.time) - Date.now())).toBeLessThan(60_000);
  expect(JSON.stringify(out.lines)).not.toContain('alice@example.com');
});

it('writes nothing below its level', () => {
  const out = new LogLines();
  const logger = yogaLogger(createLog({ level: 'warn', destination: out }));
  logger.info('hello');
  logger.debug('hello');
  logger.warn('careful');
  expect(out.lines.map((l) => l.msg)).toEqual(['careful']);
});
