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

/** 401/403: the credentials are wrong for every id of the batch, not just one. */
export function isCredentialsError(error: unknown): error is UpstreamError {
  return error instanceof UpstreamError && (error.kind === 'unauthorized' || error.kind === 'forbidden');
}

/**
 * `fanOut` for a batch that one kind of error fails as a whole (by default bad credentials): once a
 * call gets such an error, calls not yet started are not sent, and every key gets that error.
 */
export async function fanOutFailingOnCredentials<T>(
  keys: readonly string[],
  concurrency: number,
  load: (key: string) => Promise<T>,
  failsWholeBatch: (error: unknown) => boolean = isCredentialsError,
): Promise<(T | Error)[]> {
  let fatal: Error | null = null;
  const results = await fanOut(keys, concurrency, async (key) => {
    if (fatal) throw fatal;
    try {
      return await load(key);
    } catch (error) {
      if (fatal === null && failsWholeBatch(error)) fatal = asError(error);
      throw error;
    }
  });
  const failed: Error | null = fatal;
  return failed ? results.map(() => failed) : results;
}
