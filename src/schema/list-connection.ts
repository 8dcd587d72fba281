import { InvalidPageRequest } from '../directory/failures.js';
import { decodeOffset, encodeOffset } from '../directory/offset-cursor.js';
import { builder } from '../graphql/builder.js';
import { badUserInput } from '../graphql/graphql-errors.js';

// Relay connections over the small lists beyond users (a user's groups, roles and sessions; a
// directory's groups; a group's members), paged by an offset cursor (src/directory/offset-cursor.ts).

// Cursors are written when a response selects them (`cursor`, `startCursor`, `endCursor`), not one per
// edge that no one asked for.

export interface Edge<T, E = object> {
  /** Its place in the list, which its cursor names. */
  readonly position: number;
  readonly node: T;
  readonly extra: E;
}

export interface Connection<T, E = object> {
  readonly edges: readonly Edge<T, E>[];
  readonly pageInfo: PageInfoShape;
  readonly totalCount: number | null;
}

export interface PageInfoShape {
  readonly hasNextPage: boolean;
  /** The places the page's first and last cursors name. */
  readonly startPosition: number | null;
  readonly endPosition: number | null;
}

export const DEFAULT_LIST_FIRST = 20;
export const MAX_LIST_FIRST = 100;

/** `first` checked (1…MAX_LIST_FIRST) and `after` read; a bad one is the caller's mistake. */
export function listWindow(first: number | null | undefined, after: string | null | undefined) {
  const size = first ?? DEFAULT_LIST_FIRST;
  if (!Number.isInteger(size) || size < 1 || size > MAX_LIST_FIRST) {
    throw badUserInput(`Argument "first" must be from 1 to ${MAX_LIST_FIRST}.`, 'first');
  }
  try {
    return { offset: decodeOffset(after), first: size };
  } catch (error) {
    if (error instanceof InvalidPageRequest)
      throw badUserInput(`Argument "after": ${error.message}.`, 'after');
    throw error;
  }
}

/**
 * One page of a list read from `offset` on; `total` when known, `more` whether items follow it. An
 * item that is null (it went away between two reads) is left out, and every cursor keeps its place in
 * the list, so the next page neither skips nor repeats.
 */
export function connectionOf<T, E = object>(
  items: readonly (T | null)[],
  offset: number,
  more: boolean,
  total: number | null,
  extra: (item: T, index: number) => E = () => ({}) as E,
): Connection<T, E> {
  const edges: Edge<T, E>[] = [];
  items.forEach((node, index) => {
    if (node !== null) edges.push({ position: offset + index, node, extra: extra(node, index) });
  });
  return {
    edges,
    pageInfo: {
      hasNextPage: more,
      startPosition: edges[0]?.position ?? null,
      endPosition: items.length > 0 ? offset + items.length - 1 : null,
    },
    totalCount: total,
  };
}

/** A window of a list held whole (a user's groups, roles or sessions). */
export function sliceConnection<T, E = object>(
  all: readonly T[],
  first: number | null | undefined,
  after: string | null | undefined,
  extra?: (item: T) => E,
): Connection<T, E> {
  const window = listWindow(first, after);
  const items = all.slice(window.offset, window.offset + window.first);
  return connectionOf(items, window.offset, window.offset + items.length < all.length, all.length, extra);
}

export const PageInfoType = builder.objectRef<PageInfoShape>('PageInfo').implement({
  description: 'Where a page stands in its list (forward paging).',
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage', { description: 'Whether more items follow this page.' }),
    hasPreviousPage: t.boolean({
      description: 'Always false: lists page forward only.',
      resolve: () => false,
    }),
    startCursor: t.string({
      nullable: true,
      description: 'The first edge’s cursor.',
      resolve: (page) => cursorAt(page.startPosition),
    }),
    endCursor: t.string({
      nullable: true,
      description: 'Pass as `after` for the next page.',
      resolve: (page) => cursorAt(page.endPosition),
    }),
  }),
});

function cursorAt(position: number | null): string | null {
  return position === null ? null : encodeOffset(position);
}

/** An edge's `cursor` field. */
export const edgeCursor = (edge: { readonly position: number }) => encodeOffset(edge.position);

type ArgBuilder = Parameters<Parameters<typeof builder.queryFields>[0]>[0]['arg'];

export const listArgs = (arg: ArgBuilder) => ({
  first: arg.int({
    required: false,
    defaultValue: DEFAULT_LIST_FIRST,
    description: `How many to return, 1 to ${MAX_LIST_FIRST}.`,
  }),
  after: arg.string({ required: false, description: 'An `endCursor` or edge `cursor` of the same list.' }),
});
