import { asError, isCredentialsError } from './failures.js';
import type { KeyedResult } from './port.js';

/** Says whether an error concerns the whole directory (bad credentials by default) rather than one key. */
export type FailsWholeBatch = (error: unknown) => boolean;

/**
 * `fn` for each unit, at most `concurrency` at once, each starting as one before it ends, in order;
 * results in the units' order. Rejects with the first failure, as `Promise.all` would (the units already
 * queued still run). Workers take the next unit: no closure and promises queued per unit.
 */
export function mapConcurrently<U, R>(
  units: readonly U[],
  concurrency: number,
  fn: (unit: U) => Promise<R>,
): Promise<R[]> {
  return new Promise((resolve, reject) => {
    const results = new Array<R>(units.length);
    if (units.length === 0) {
      resolve(results);
      return;
    }
    let next = 0;
    let done = 0;
    const worker = async (): Promise<void> => {
      while (next < units.length) {
        const index = next++;
        try {
          results[index] = await fn(units[index] as U);
        } catch (error) {
          reject(error);
        }
        done += 1;
        if (done === units.length) resolve(results);
      }
    };
    for (let n = Math.min(Math.max(1, concurrency), units.length); n > 0; n -= 1) void worker();
  });
}

/**
 * The one batch-failure rule, for every way a provider fans a batch out: runs `load` for each unit (a
 * key, or a chunk of keys) with at most `concurrency` in flight. Once a unit fails with an error that
 * `failsWholeBatch` says concerns the whole directory, units not yet started are not sent and the
 * batch's answer is that error for every key (`fatal`).
 */
async function runUnits<U, R>(
  units: readonly U[],
  concurrency: number,
  load: (unit: U) => Promise<R>,
  failsWholeBatch: FailsWholeBatch,
): Promise<{ readonly results: (R | Error)[]; readonly fatal: Error | null }> {
  let fatal: Error | null = null;
  const results = await mapConcurrently(units, concurrency, async (unit): Promise<R | Error> => {
    if (fatal) return fatal;
    try {
      return await load(unit);
    } catch (error) {
      const failure = asError(error);
      if (fatal === null && failsWholeBatch(failure)) fatal = failure;
      return failure;
    }
  });
  return { results, fatal };
}

/**
 * For providers without a batch endpoint: `load` once per distinct key, results in key order (a
 * duplicate shares its key's call; a thrown error becomes that key's result).
 */
export async function fanOut<T>(
  keys: readonly string[],
  concurrency: number,
  load: (key: string) => Promise<T>,
  failsWholeBatch: FailsWholeBatch = isCredentialsError,
): Promise<(T | Error)[]> {
  const distinct = [...new Set(keys)];
  const { results, fatal } = await runUnits(distinct, concurrency, load, failsWholeBatch);
  if (fatal) return keys.map(() => fatal);
  const byKey = new Map(distinct.map((key, index) => [key, results[index] as T | Error]));
  return keys.map((key) => byKey.get(key) as T | Error);
}

/**
 * For providers with a batch endpoint: distinct keys in chunks of `chunkSize`, one `load` per chunk,
 * which answers with what it found by key; a key it did not answer gets `missing`, and a failed chunk's
 * error goes to each of its keys.
 */
export async function fanOutChunks<T>(
  keys: readonly string[],
  chunkSize: number,
  concurrency: number,
  load: (chunk: readonly string[]) => Promise<ReadonlyMap<string, T>>,
  missing: T | null,
  failsWholeBatch: FailsWholeBatch = isCredentialsError,
): Promise<KeyedResult<T>[]> {
  const distinct = [...new Set(keys)];
  const chunks: string[][] = [];
  for (let start = 0; start < distinct.length; start += chunkSize) {
    chunks.push(distinct.slice(start, start + chunkSize));
  }
  const { results, fatal } = await runUnits(chunks, concurrency, load, failsWholeBatch);
  if (fatal) return keys.map(() => fatal);
  const byKey = new Map<string, KeyedResult<T>>();
  chunks.forEach((chunk, index) => {
    const result = results[index];
    for (const key of chunk) {
      byKey.set(key, result instanceof Error ? result : (result?.get(key) ?? missing));
    }
  });
  return keys.map((key) => byKey.get(key) ?? missing);
}
