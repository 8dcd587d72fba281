import type { Timestamp } from './model.js';

// Every user carries half a dozen timestamps and a batch maps hundreds of users: formatting them
// through `new Date(…).toISOString()` took ~0.8 µs each, 5% of a 60-user query's CPU in a profile
// (BENCHMARKS.md). These give the same strings (test/timestamp.property.test.ts) in about a third
// of the time, without a Date per value, and fall back to Date for anything unusual.

const DAY_MS = 86_400_000;
/** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: where toISOString writes four-digit years. */
const MIN_MS = -62_167_219_200_000;
const MAX_MS = 253_402_300_799_999;

/** Unix epoch seconds → RFC 3339 in UTC with milliseconds, exactly as `Date#toISOString` writes it. */
export function fromEpochSeconds(seconds: number): Timestamp {
  return fromEpochMs(seconds * 1000);
}

export function fromEpochMs(ms: number): Timestamp {
  if (!Number.isInteger(ms) || ms < MIN_MS || ms > MAX_MS) return new Date(ms).toISOString();
  const days = Math.floor(ms / DAY_MS);
  const inDay = ms - days * DAY_MS;
  // Howard Hinnant's civil_from_days: the proleptic Gregorian date of a day count since 1970-01-01.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hours = Math.floor(inDay / 3_600_000);
  const minutes = Math.floor((inDay % 3_600_000) / 60_000);
  const seconds = Math.floor((inDay % 60_000) / 1000);
  return `${year < 1000 ? String(year).padStart(4, '0') : year}-${two(month)}-${two(day)}T${two(hours)}:${two(minutes)}:${two(seconds)}.${three(inDay % 1000)}Z`;
}

/** `YYYY-MM-DDTHH:MM:SS[.fraction]Z`: how protojson, and most APIs, write a UTC instant. */
const UTC_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z$/;

/**
 * A date-time string → the same RFC 3339 form as `new Date(value).toISOString()` (UTC, milliseconds,
 * finer fractions truncated). A valid UTC string is rewritten without building a Date; anything else
 * (offsets, 24:00, impossible dates) goes through Date and behaves exactly as it does.
 */
export function fromDateTimeString(value: string): Timestamp {
  const match = UTC_DATE_TIME.exec(value);
  if (match === null) return new Date(value).toISOString();
  const [, year = '', month = '', day = '', hours = '', minutes = '', seconds = '', fraction] = match;
  if (!valid(Number(year), Number(month), Number(day), Number(hours), Number(minutes), Number(seconds))) {
    return new Date(value).toISOString();
  }
  const millis = fraction === undefined ? '000' : fraction.slice(0, 3).padEnd(3, '0');
  return `${year}-${month}-${day}T${hours}:${minutes}:${seconds}.${millis}Z`;
}

function valid(year: number, month: number, day: number, hours: number, minutes: number, seconds: number) {
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hours <= 23 &&
    minutes <= 59 &&
    seconds <= 59
  );
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function two(value: number): string {
  return value < 10 ? `0${value}` : `${value}`;
}

function three(value: number): string {
  return value < 10 ? `00${value}` : value < 100 ? `0${value}` : `${value}`;
}
