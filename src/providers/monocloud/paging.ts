// MonoCloud pages by page number and size; usergraph pages by "limit users after this position". A
// position is the absolute offset in creation order, and the plan picks the page size that reaches
// [offset, offset + limit) in the fewest upstream requests.

/** Largest `size` sent upstream. MonoCloud documents no maximum; 100 is an assumption (UNCONFIRMED). */
export const MAX_PAGE_SIZE = 100;

export interface PagePlan {
  readonly size: number;
  /** 1-based first page to fetch. */
  readonly firstPage: number;
  readonly pageCount: number;
  /** Items to drop from the start of the first page. */
  readonly skip: number;
}

/** The fewest pages (then the fewest fetched items) of one size that cover [offset, offset + limit). */
export function planPages(offset: number, limit: number, maxSize = MAX_PAGE_SIZE): PagePlan {
  if (!Number.isSafeInteger(offset) || offset < 0)
    throw new RangeError('offset must be a non-negative integer');
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  const last = offset + limit - 1;
  let best: PagePlan | null = null;
  for (let size = Math.min(limit, maxSize); size <= maxSize; size += 1) {
    const first = Math.floor(offset / size);
    const pageCount = Math.floor(last / size) - first + 1;
    if (
      best === null ||
      pageCount < best.pageCount ||
      (pageCount === best.pageCount && pageCount * size < best.pageCount * best.size)
    ) {
      best = { size, firstPage: first + 1, pageCount, skip: offset - first * size };
    }
  }
  return best as PagePlan;
}
