import pLimit from 'p-limit';
import { UpstreamError } from '../errors.js';

/**
 * Runs `load` once per distinct key with at most `concurrency` in flight, and returns results in
 * key order; duplicates share one call, and a thrown error becomes that key's result.
 * For providers with no batch endpoint.
 */
export async function fanOut<T>(
  keys: readonly string[],
  concurrency: number,
  load: (key: string) => Promise<T>,
): Promise<(T | Error)[]> {
  const limit = pLimit(concurrency);
  const calls = new Map<string, Promise<T | Error>>();
  for (const key of keys) {
    if (!calls.has(key)) calls.set(key, limit(() => load(key)).catch(asError));
  }
  const settled = new Map<string, T | Error>();
  await Promise.all([...calls].map(async ([key, call]) => settled.set(key, await call)));
  return keys.map((key) => settled.get(key) as T | Error);
}

export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * `fanOut` for a batch that bad credentials fail as a whole: once a call gets 401/403, calls not yet
 * started are not sent, and every key gets that error.
 */
export async function fanOutFailingOnCredentials<T>(
  keys: readonly string[],
  concurrency: number,
  load: (key: string) => Promise<T>,
): Promise<(T | Error)[]> {
  let credentialsError: UpstreamError | null = null;
  const results = await fanOut(keys, concurrency, async (key) => {
    if (credentialsError) throw credentialsError;
    try {
      return await load(key);
    } catch (error) {
      if (error instanceof UpstreamError && (error.kind === 'unauthorized' || error.kind === 'forbidden')) {
        credentialsError ??= error;
      }
      throw error;
    }
  });
  const failed: UpstreamError | null = credentialsError;
  return failed ? results.map(() => failed) : results;
}
