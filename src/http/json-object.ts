import { z } from 'zod';

/**
 * Any JSON object, passed through as parsed. Same acceptance as `z.record(z.string(), z.unknown())` (a
 * JSON object's keys are always strings), without copying every key of free-form payload data such as
 * claims and custom user data on each parse.
 */
export const jsonObject = z.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  { error: 'expected an object' },
);
