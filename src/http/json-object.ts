import { z } from 'zod';

/** Any JSON object (free-form payload data such as claims and custom user data). */
export const jsonObject = z.record(z.string(), z.unknown());
