import { describe, expect, it } from 'vitest';
import { MAX_PAGE_SIZE, planPages } from '../../../src/providers/monocloud/paging.js';

describe('planPages', () => {
  it('uses size = limit when the offset is a multiple of the limit', () => {
    expect(planPages(0, 10)).toEqual({ size: 10, firstPage: 1, pageCount: 1, skip: 0 });
    expect(planPages(70, 7)).toEqual({ size: 7, firstPage: 11, pageCount: 1, skip: 0 });
  });

  it('reaches an unaligned window with one larger page when one exists', () => {
    // [3, 10) sits inside the first page of size 10.
    expect(planPages(3, 7)).toEqual({ size: 10, firstPage: 1, pageCount: 1, skip: 3 });
    // [10, 17) sits inside the second page of size 9 (9..17).
    expect(planPages(10, 7)).toEqual({ size: 9, firstPage: 2, pageCount: 1, skip: 1 });
  });

  it('falls back to two pages of size = limit when no single page fits', () => {
    // [99, 199): no page of size ≤ 100 holds 100 items starting at 99.
    expect(planPages(99, 100)).toEqual({ size: 100, firstPage: 1, pageCount: 2, skip: 99 });
  });

  it('splits a limit above the maximum page size into maximum pages', () => {
    expect(planPages(0, 250)).toEqual({ size: 100, firstPage: 1, pageCount: 3, skip: 0 });
  });

  it('always covers exactly the window, within the page size bound, in at most two pages when limit ≤ max', () => {
    const wrong: string[] = [];
    for (let offset = 0; offset <= 400; offset += 1) {
      for (let limit = 1; limit <= 130; limit += 1) {
        const plan = planPages(offset, limit);
        const start = (plan.firstPage - 1) * plan.size;
        const fits =
          plan.size <= MAX_PAGE_SIZE &&
          plan.size >= Math.min(limit, MAX_PAGE_SIZE) &&
          start + plan.skip === offset &&
          start + plan.pageCount * plan.size >= offset + limit &&
          (limit > MAX_PAGE_SIZE || plan.pageCount <= 2) &&
          (limit > MAX_PAGE_SIZE || offset % limit !== 0 || plan.pageCount === 1);
        if (!fits) wrong.push(`${offset}+${limit}: ${JSON.stringify(plan)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('rejects a non-positive limit and a negative offset', () => {
    expect(() => planPages(0, 0)).toThrow(RangeError);
    expect(() => planPages(-1, 5)).toThrow(RangeError);
    expect(() => planPages(0, 2.5)).toThrow(RangeError);
  });
});
