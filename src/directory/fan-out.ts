import pLimit from 'p-limit';

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
