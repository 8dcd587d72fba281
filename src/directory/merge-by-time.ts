/**
 * Takes up to `limit` items from streams that are each in their own order, always the one whose head
 * comes first by `key` (on a tie, the earlier stream's). Each stream's order is kept even where it is
 * not in key order (a log stamped in seconds, clocks that differ), so a stream's resume point is always
 * right after the last item taken from it. Used to merge change feeds: directories' into one, and
 * MonoCloud's log with its edits.
 */
export function takeInOrder<T>(
  streams: readonly (readonly T[])[],
  key: (item: T, stream: number) => number | string,
  limit: number,
): {
  readonly taken: readonly { readonly item: T; readonly stream: number; readonly index: number }[];
  readonly left: boolean;
} {
  const heads = streams.map(() => 0);
  const taken: { item: T; stream: number; index: number }[] = [];
  while (taken.length < limit) {
    let best = -1;
    let bestKey: number | string = 0;
    streams.forEach((items, stream) => {
      const item = items[heads[stream] as number];
      if (item === undefined) return;
      const itemKey = key(item, stream);
      if (best < 0 || itemKey < bestKey) {
        best = stream;
        bestKey = itemKey;
      }
    });
    if (best < 0) break;
    const index = heads[best] as number;
    taken.push({ item: (streams[best] as readonly T[])[index] as T, stream: best, index });
    heads[best] = index + 1;
  }
  return { taken, left: streams.some((items, stream) => (heads[stream] as number) < items.length) };
}
