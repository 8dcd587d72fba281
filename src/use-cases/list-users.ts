import type { GraphQLResolveInfo } from 'graphql';
import { DirectoryFailure } from '../codes/failure-codes.js';
import { CODE } from '../codes/public-codes.js';
import { type ListCursor, listingKey } from '../directory/cursor.js';
import { InvalidPageRequest } from '../directory/failures.js';
import type { UserFilter } from '../directory/filter.js';
import { mergePage } from '../directory/merge.js';
import type { User, UserKind, UserStatus } from '../directory/model.js';
import type { DirectoryProvider, SortDirection } from '../directory/port.js';
import type { Context } from '../graphql/context.js';
import { badUserInput, forbidden } from '../graphql/graphql-errors.js';
import { Lazy } from './lazy.js';

export const DEFAULT_FIRST = 20;
export const MAX_FIRST = 100;

export interface UserFilterInput {
  readonly text?: string | null;
  readonly email?: string | null;
  readonly status?: readonly UserStatus[] | null;
  readonly kind?: UserKind | null;
  readonly createdAfter?: Date | null;
  readonly createdBefore?: Date | null;
}

export interface ListArgs {
  readonly first?: number | null;
  readonly after?: string | null;
  readonly filter?: UserFilterInput | null;
  readonly orderBy?: 'CREATED_AT_ASC' | 'CREATED_AT_DESC' | null;
}

export interface UserConnectionShape {
  readonly edges: readonly { readonly cursor: string; readonly node: User }[];
  readonly totalCount: number | null;
  readonly pageInfo: {
    readonly hasNextPage: boolean;
    readonly startCursor: string | null;
    readonly endCursor: string | null;
    readonly scanBudgetExhausted: boolean;
  };
}

/**
 * One page of users from `directories`, merged in creation order. `single` is a directory's own
 * connection: its failure fails the field. Otherwise a failing directory is left out of the page and
 * reported as a partial error naming it, and the healthy directories' users are still returned.
 */
export async function listUsers(
  ctx: Context,
  info: GraphQLResolveInfo,
  directories: readonly DirectoryProvider[],
  args: ListArgs,
  single: boolean,
): Promise<UserConnectionShape> {
  const first = args.first ?? DEFAULT_FIRST;
  if (!Number.isInteger(first) || first < 1 || first > MAX_FIRST) {
    throw badUserInput(`Argument "first" must be between 1 and ${MAX_FIRST}, got ${first}.`, 'first');
  }
  const direction: SortDirection = args.orderBy === 'CREATED_AT_DESC' ? 'DESC' : 'ASC';
  for (const text of [args.filter?.text, args.filter?.email]) {
    if (typeof text === 'string' && text.length > ctx.limits.textFilterLength) {
      throw badUserInput(
        `Argument "filter": a text or email filter may hold at most ${ctx.limits.textFilterLength} characters.`,
        'filter',
      );
    }
  }
  const filter = toFilter(args.filter);
  // Matching on text or an email address tells whether someone holds that address.
  if (filter?.text !== undefined || filter?.email !== undefined) {
    if (!ctx.grants['users:read:contact']) throw forbidden('users:read:contact');
    ctx.read.classes.add('contact');
  }
  for (const directory of directories) ctx.read.directory(directory.name);
  const key = listingKey({ direction, filter, directories: directories.map((d) => d.name).sort(), single });
  let positions: ListCursor | null = null;
  if (args.after !== undefined && args.after !== null) {
    positions = ctx.cursors.decode(args.after);
    if (positions === null) throw badUserInput('Argument "after" is not a cursor from this API.', 'after');
    if (positions.key !== key || positions.direction !== direction) {
      throw badUserInput(
        'Argument "after" is a cursor from a listing with a different orderBy, filter or directories.',
        'after',
      );
    }
  }

  let page: Awaited<ReturnType<typeof mergePage>>;
  try {
    page = await mergePage(
      directories,
      { first, direction, filter, positions: positions?.positions },
      ctx.call,
    );
  } catch (error) {
    if (error instanceof InvalidPageRequest) {
      throw badUserInput(`Argument "${error.argument}" was refused: ${error.message}`, error.argument);
    }
    throw error;
  }
  for (const failure of page.failures) {
    const directoryFailure = new DirectoryFailure(failure.directory, failure.error);
    if (single) throw directoryFailure;
    ctx.partialErrors.report(info, directoryFailure);
  }

  if (page.exhaustedDirectories.length > 0) {
    ctx.partialErrors.warn(info, {
      code: CODE.SCAN_BUDGET_EXHAUSTED,
      message: `Local filtering in ${page.exhaustedDirectories.map((d) => `"${d}"`).join(', ')} stopped at its scan budget: this page may hold fewer than ${first} users although more match. Continue from pageInfo.endCursor.`,
      directories: page.exhaustedDirectories,
    });
  }

  const cursorOf = (edgePositions: typeof page.positions) => () =>
    ctx.cursors.encode({ direction, key, positions: edgePositions });
  const edges = page.edges.map((edge) => new Edge(edge.user, cursorOf(edge.positions)));
  // Every listed user is read, whether the answer holds its fields or only its edge (existence is data).
  for (const { node } of edges) {
    ctx.read.user(node);
    prime(ctx, directories, node);
  }
  // Also given when a page is empty but not last (a scan budget ran out), so the client can go on.
  const end = edges.length > 0 || page.hasNextPage ? new Lazy(cursorOf(page.positions)) : null;
  return {
    edges,
    totalCount: page.totalCount,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      get startCursor() {
        return edges[0]?.cursor ?? null;
      },
      get endCursor() {
        return end?.value ?? null;
      },
      scanBudgetExhausted: page.budgetExhausted,
    },
  };
}

/** An edge whose cursor is signed only if the client asks for it. */
class Edge {
  private readonly text: Lazy<string>;

  constructor(
    readonly node: User,
    cursor: () => string,
  ) {
    this.text = new Lazy(cursor);
  }

  get cursor(): string {
    return this.text.value;
  }
}

/**
 * Listed users go into the request's user loader so nested fields do not fetch them again. Not
 * MonoCloud's: its list returns summaries without publicData/privateData, which a later `user` field
 * in the same request must not see as null.
 */
function prime(ctx: Context, directories: readonly DirectoryProvider[], user: User): void {
  if (user.provider === 'monocloud') return;
  const directory = directories.find((d) => d.name === user.directory);
  if (directory) ctx.loaders.user(directory).prime(user.localId, user);
}

function toFilter(input: UserFilterInput | null | undefined): UserFilter | undefined {
  if (!input) return undefined;
  const filter: { -readonly [K in keyof UserFilter]: UserFilter[K] } = {};
  if (input.text !== undefined && input.text !== null) filter.text = input.text;
  if (input.email !== undefined && input.email !== null) filter.email = input.email;
  if (input.status !== undefined && input.status !== null) {
    if (input.status.length === 0)
      throw badUserInput('Argument "filter.status" must not be empty.', 'filter');
    filter.status = [...new Set(input.status)].sort();
  }
  if (input.kind !== undefined && input.kind !== null) filter.kind = input.kind;
  if (input.createdAfter) filter.createdAfter = input.createdAfter.toISOString();
  if (input.createdBefore) filter.createdBefore = input.createdBefore.toISOString();
  return Object.keys(filter).length === 0 ? undefined : filter;
}
