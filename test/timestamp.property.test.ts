import fc from 'fast-check';
import { GraphQLError, type GraphQLScalarType } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  formatTimestamp,
  fromDateTimeString,
  fromEpochMs,
  fromEpochSeconds,
} from '../src/directory/timestamp.js';
import { buildSchema } from '../src/schema/index.js';

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

/** Date's time value for a number, or the error toISOString throws for it. */
function timeViaDate(value: number): number | Error {
  const time = new Date(value).getTime();
  return Number.isNaN(time) ? new RangeError('Invalid time value') : time;
}

function expectSameTimeAsDate(actual: () => number, value: number) {
  const expected = timeViaDate(value);
  if (expected instanceof Error) expect(actual).toThrow(RangeError);
  else expect(actual()).toBe(expected);
}

describe('timestamps come out exactly as Date#toISOString writes them', () => {
  it('formatted from epoch milliseconds, inside the four-digit-year range and past its ends', () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN_MS - 10 * DAY_MS, max: MAX_MS + 10 * DAY_MS }), (ms) => {
        expectSameAsDate(() => formatTimestamp(ms), ms);
      }),
      { numRuns: 20_000 },
    );
  });

  it('read from epoch milliseconds and seconds as Date reads them, fractions and range included', () => {
    const times = fc.oneof(
      fc.integer({ min: MIN_MS - 10 * DAY_MS, max: MAX_MS + 10 * DAY_MS }),
      fc.double({ noNaN: false }),
      fc.constantFrom(8.64e15, -8.64e15, 8.64e15 + 1, -0, 0.5, -0.5, Infinity, -Infinity),
    );
    fc.assert(
      fc.property(times, (ms) => {
        // toBe is Object.is: a -0 where Date makes 0 fails too.
        expectSameTimeAsDate(() => fromEpochMs(ms), ms);
      }),
      { numRuns: 20_000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: -2_000_000_000, max: 4_000_000_000 }), (seconds) => {
        expectSameTimeAsDate(() => fromEpochSeconds(seconds), seconds * 1000);
        expectSameAsDate(() => formatTimestamp(fromEpochSeconds(seconds)), seconds * 1000);
      }),
      { numRuns: 5_000 },
    );
    for (const seconds of [0, -1, 951_782_400, 1_709_164_800, 1_700_000_000.5, 1.234_567, Number.NaN, 9e12]) {
      expectSameTimeAsDate(() => fromEpochSeconds(seconds), seconds * 1000);
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
        expectSameAsDate(() => formatTimestamp(fromDateTimeString(value)), value);
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
      expectSameAsDate(() => formatTimestamp(fromDateTimeString(value)), value);
    }
  });
});

describe('the DateTime scalar writes the model’s instants', () => {
  const dateTime = buildSchema().getType('DateTime') as GraphQLScalarType;

  it('as RFC 3339, the same text Date#toISOString gives, for every instant with a four-digit year', () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN_MS, max: MAX_MS }), (ms) => {
        expect(JSON.stringify(dateTime.serialize(ms))).toBe(JSON.stringify(new Date(ms)));
      }),
      { numRuns: 5_000 },
    );
  });

  it('refuses an instant it cannot write with a GraphQL error that quotes nothing', () => {
    for (const ms of [MAX_MS + 1, MIN_MS - 1, 8.64e15, Number.NaN, 1.5]) {
      expect(() => dateTime.serialize(ms)).toThrow(GraphQLError);
      expect(() => dateTime.serialize(ms)).toThrow(
        'DateTime cannot represent an instant outside the years 0000–9999',
      );
    }
  });

  it('still takes what graphql-scalars takes: RFC 3339 strings and Dates out, and the same inputs', () => {
    expect(JSON.stringify(dateTime.serialize('2024-06-01T10:00:00+02:00'))).toBe(
      '"2024-06-01T08:00:00.000Z"',
    );
    expect(JSON.stringify(dateTime.serialize(new Date(0)))).toBe('"1970-01-01T00:00:00.000Z"');
    expect(() => dateTime.serialize('yesterday')).toThrow(GraphQLError);
    expect(dateTime.parseValue('2024-06-01T08:00:00Z')).toEqual(new Date('2024-06-01T08:00:00Z'));
    expect(() => dateTime.parseValue(0)).toThrow(GraphQLError);
  });
});
