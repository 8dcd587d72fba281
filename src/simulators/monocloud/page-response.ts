import type { SimRequest, SimResponse } from '../server.js';

// MonoCloud's page/size paging, as every list endpoint answers it: a bare JSON array of the page and
// the `x-pagination` header, `page` 1-based, `size` 1 to SIM_MAX_PAGE_SIZE (the real maximum is
// undocumented, UNCONFIRMED).

/** Largest `size` the simulator accepts. */
export const SIM_MAX_PAGE_SIZE = 100;

type Problem = (status: number, detail: string) => SimResponse;

/** One page of `items` for the request's `page` and `size`, or the 400 a bad one gets. */
export function paged(req: SimRequest, items: readonly unknown[], problem: Problem): SimResponse {
  const page = integerParam(req.query.get('page'), 1);
  const size = integerParam(req.query.get('size'), 10);
  if (page === null || page < 1) return problem(400, 'page must be an integer of at least 1');
  if (size === null || size < 1 || size > SIM_MAX_PAGE_SIZE) {
    return problem(400, `size must be an integer from 1 to ${SIM_MAX_PAGE_SIZE}`);
  }
  const start = (page - 1) * size;
  const pagination = {
    total_count: items.length,
    page_size: size,
    current_page: page,
    has_next: start + size < items.length,
    has_previous: page > 1,
  };
  return {
    status: 200,
    headers: { 'x-pagination': JSON.stringify(pagination) },
    body: items.slice(start, start + size),
  };
}

export function integerParam(value: string | null, fallback: number): number | null {
  if (value === null || value === '') return fallback;
  return /^-?\d{1,9}$/.test(value) ? Number(value) : null;
}
