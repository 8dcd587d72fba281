import type { Timestamp } from './model.js';

// Instants are kept as Date's own time value (epoch milliseconds) and written out as RFC 3339 only
// when a response selects them (the DateTime scalar, src/schema/scalars.ts). Every user carries half
// a dozen timestamps and a batch maps hundreds of users: formatting them all at mapping time is work
// for fields nobody asked for (BENCHMARKS.md, "Hand-tuned spots").

/** The largest time value a Date holds (±100,000,000 days). */
const MAX_TIME = 8.64e15;

/**
 * A time value as Date makes it (`new Date(ms).getTime()`: whole milliseconds, truncated toward zero);
 * throws Date's RangeError outside its range, as `toISOString` did when it was formatted here.
 */
export function fromEpochMs(ms: number): Timestamp {
  const time = Math.trunc(ms);
  if (!(Math.abs(time) <= MAX_TIME)) throw new RangeError('Invalid time value');
  return time + 0; // -0 is 0, as in Date
}

/** Unix epoch seconds → the instant. */
export function fromEpochSeconds(seconds: number): Timestamp {
  return fromEpochMs(seconds * 1000);
}

/**
 * A date-time string → the instant, exactly as `new Date(value)` reads it (finer fractions truncated,
 * offsets applied); throws Date's RangeError for a string Date cannot read.
 */
export function fromDateTimeString(value: string): Timestamp {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new RangeError('Invalid time value');
  return time;
}

const DAY_MS = 86_400_000;
/** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: where toISOString writes four-digit years. */
const MIN_MS = -62_167_219_200_000;
const MAX_MS = 253_402_300_799_999;

/** True when the instant has an RFC 3339 form (a four-digit year). */
export function hasRfc3339Form(ms: number): boolean {
  return Number.isInteger(ms) && ms >= MIN_MS && ms <= MAX_MS;
}

/**
 * Epoch milliseconds → RFC 3339 in UTC with milliseconds, exactly as `Date#toISOString` writes it, in
 * about half its time and without a Date (test/timestamp.property.test.ts); anything outside the
 * four-digit years goes through Date and behaves exactly as it does.
 */
export function formatTimestamp(ms: number): string {
  if (!hasRfc3339Form(ms)) return new Date(ms).toISOString();
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

function two(value: number): string {
  return value < 10 ? `0${value}` : `${value}`;
}

function three(value: number): string {
  return value < 10 ? `00${value}` : value < 100 ? `0${value}` : `${value}`;
}
