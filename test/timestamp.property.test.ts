import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromDateTimeString, fromEpochMs, fromEpochSeconds } from '../src/directory/timestamp.js';

const MIN_MS = -62_167_219_200_000;
const MAX_MS = 253_402_300_799_999;
const DAY_MS = 86_400_000;

/** What Date gives, or the error it throws (an invalid date has no ISO form). */
function viaDate(value: string | number): string | Error {
  try {
    return new Date(value).toISOString();
  } catch (error) {
    return error as Error;
  }
}

function expectSameAsDate(actual: () => string, value: string | number) {
  const expected = viaDate(value);
  if (expected instanceof Error) expect(actual).toThrow(RangeError);
  else expect(actual()).toBe(expected);
}

describe('timestamps come out exactly as Date#toISOString writes them', () => {
  it('from epoch milliseconds and seconds, inside the four-digit-year range and past its ends', () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN_MS - 10 * DAY_MS, max: MAX_MS + 10 * DAY_MS }), (ms) => {
        expectSameAsDate(() => fromEpochMs(ms), ms);
      }),
      { numRuns: 20_000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: -2_000_000_000, max: 4_000_000_000 }), (seconds) => {
        expectSameAsDate(() => fromEpochSeconds(seconds), seconds * 1000);
      }),
      { numRuns: 5_000 },
    );
    for (const seconds of [0, -1, 951_782_400, 1_709_164_800, 1_700_000_000.5, 1.234_567, Number.NaN]) {
      expectSameAsDate(() => fromEpochSeconds(seconds), seconds * 1000);
    }
  });

  it('from date-time strings: UTC with any fraction, offsets, and impossible dates', () => {
    const fractionDigits = fc
      .array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 9 })
      .map((digits) => digits.join(''));
    const utc = fc
      .record({
        ms: fc.integer({ min: 0, max: MAX_MS }),
        fraction: fc.option(fractionDigits, { nil: undefined }),
      })
      .map(({ ms, fraction }) => {
        const base = new Date(ms).toISOString().slice(0, 19);
        return fraction === undefined ? `${base}Z` : `${base}.${fraction}Z`;
      });
    fc.assert(
      fc.property(utc, (value) => {
        expectSameAsDate(() => fromDateTimeString(value), value);
      }),
      { numRuns: 20_000 },
    );
    for (const value of [
      '2024-02-29T12:00:00Z',
      '2023-02-29T12:00:00Z',
      '2024-04-31T00:00:00Z',
      '2024-01-01T24:00:00Z',
      '2024-01-01T23:60:00Z',
      '2024-06-01T10:00:00+02:00',
      '2024-06-01T10:00:00.5-05:30',
      '1970-01-01T00:00:00.000000001Z',
      'not a date',
    ]) {
      expectSameAsDate(() => fromDateTimeString(value), value);
    }
  });
});
