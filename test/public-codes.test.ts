import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeFor, DirectoryFailure, publicDirectoryError } from '../src/codes/failure-codes.js';
import { PUBLIC_CODES, refusalStatus } from '../src/codes/public-codes.js';
import { BudgetExceededError, UpstreamError } from '../src/directory/failures.js';

const SRC = resolve(import.meta.dirname, '../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

describe('public codes', () => {
  it('are spelled in one place: no other source writes one as a string', () => {
    const spelled: string[] = [];
    for (const file of sources(SRC)) {
      const path = relative(SRC, file);
      // The providers and their simulators speak the providers' own codes (ZITADEL's NOT_FOUND…).
      if (path === 'public-codes.ts' || /^(providers|simulators)\//.test(path)) continue;
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/['"`]([A-Z][A-Z_]{4,})['"`]/g)) {
        if (Object.hasOwn(PUBLIC_CODES, match[1] as string)) spelled.push(`${path}: ${match[1]}`);
      }
    }
    expect(spelled).toEqual([]);
  });

  it('give whole-request refusals their status and leave the others to GraphQL over HTTP', () => {
    expect(refusalStatus('RATE_LIMITED')).toBe(429);
    expect(refusalStatus('FORBIDDEN')).toBe(403);
    expect(refusalStatus('DIRECTORY_TIMEOUT')).toBeUndefined();
    expect(refusalStatus('toString')).toBeUndefined();
    expect(refusalStatus(undefined)).toBeUndefined();
  });

  it('turn each class of directory failure into its code and facts, and anything else into DIRECTORY_ERROR', () => {
    const limited = new UpstreamError({
      provider: 'zitadel',
      kind: 'rate_limited',
      operation: 'listUsers',
      status: 429,
      retryAfterMs: 1500,
    });
    expect(codeFor(limited)).toBe('DIRECTORY_RATE_LIMITED');
    expect(publicDirectoryError(new DirectoryFailure('staff', limited)).extensions).toEqual({
      code: 'DIRECTORY_RATE_LIMITED',
      directory: 'staff',
      provider: 'zitadel',
      upstreamStatus: 429,
      retryAfter: 2,
    });
    expect(
      publicDirectoryError(new DirectoryFailure('staff', new BudgetExceededError('staff'))).extensions,
    ).toEqual({
      code: 'OPERATION_TOO_EXPENSIVE',
      directory: 'staff',
    });
    const unknown = publicDirectoryError(new DirectoryFailure('staff', new TypeError('secret detail')));
    expect(unknown).toEqual({
      message: 'Directory "staff" failed unexpectedly.',
      extensions: { code: 'DIRECTORY_ERROR', directory: 'staff' },
    });
    expect(codeFor(new TypeError('x'))).toBe('DIRECTORY_ERROR');
  });
});
