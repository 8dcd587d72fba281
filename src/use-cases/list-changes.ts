import type { GraphQLResolveInfo } from 'graphql';
import { z } from 'zod';
import { DirectoryFailure } from '../codes/failure-codes.js';
import { CODE } from '../codes/public-codes.js';
import type { Change, ChangePage, ChangePosition } from '../directory/change-model.js';
import { listingKey } from '../directory/cursor.js';
import { ChangesExpiredError, UnsupportedError } from '../directory/failures.js';
import { takeInOrder } from '../directory/merge-by-time.js';
import type { DirectoryProvider } from '../directory/port.js';
import type { Context } from '../graphql/context.js';
import { badUserInput } from '../graphql/graphql-errors.js';
import { directoryError } from './capability.js';
import { Lazy } from './lazy.js';

// The change feed, over one directory or merged across several like `users`: each directory reads
// from its own position, the changes are merged oldest first, and the cursor carries every
// directory's position just after the last change of it that was handed out, so polling with
// `after = endCursor` returns each change exactly once. A directory that fails keeps its position
// (its changes come on a later poll) and is reported, never hidden.

export const DEFAULT_CHANGES_FIRST = 100;
export const MAX_CHANGES_FIRST = 500;
const KIND = 'changes';

const POSITION = z.union([
  z.strictObject({
    kind: z.literal('watermark'),
    at: z.number().int().nonnegative(),
    seen: z.array(z.string().max(40)).max(400),
    floor: z.number().int().nonnegative().nullable(),
  }),
  z.strictObject({
    kind: z.literal('offset'),
    offset: z.number().int().nonnegative().max(100_000_000),
    lastId: z.string().max(128).nullable(),
    updated: z
      .strictObject({ at: z.number().int().nonnegative(), ids: z.array(z.string().max(64)).max(200) })
      .optional(),
  }),
  z.strictObject({ kind: z.literal('after-id'), after: z.string().max(64).nullable() }),
]);
const CURSOR = z.strictObject({
  v: z.literal(1),
  k: z.string().max(64),
  s: z.number().int().nullable(),
  p: z.record(z.string().max(63), POSITION),
});
type Cursor = z.infer<typeof CURSOR>;

export interface ChangeArgs {
  readonly since?: Date | null;
  readonly first?: number | null;
  readonly after?: string | null;
}

export interface ChangeEdgeShape {
  readonly cursor: string;
  readonly node: Change;
}

export interface ChangeConnectionShape {
  readonly edges: readonly ChangeEdgeShape[];
  readonly pageInfo: {
    readonly hasNextPage: boolean;
    readonly startCursor: string | null;
    readonly endCursor: string | null;
  };
  readonly historyTruncated: boolean;
}

export async function listChanges(
  ctx: Context,
  info: GraphQLResolveInfo,
  directories: readonly DirectoryProvider[],
  args: ChangeArgs,
  single: boolean,
): Promise<ChangeConnectionShape> {
  const first = args.first ?? DEFAULT_CHANGES_FIRST;
  if (!Number.isInteger(first) || first < 1 || first > MAX_CHANGES_FIRST) {
    throw badUserInput(`Argument "first" must be from 1 to ${MAX_CHANGES_FIRST}.`, 'first');
  }
  const key = listingKey(directories.map((d) => d.name));
  let cursor: Cursor;
  if (args.after !== null && args.after !== undefined) {
    const parsed = CURSOR.safeParse(ctx.cursors.openJson(KIND, args.after));
    if (!parsed.success) throw badUserInput('Argument "after" is not a cursor of a change feed.', 'after');
    if (parsed.data.k !== key) {
      throw badUserInput('Argument "after" was issued for another set of directories.', 'after');
    }
    cursor = parsed.data;
  } else {
    const since = args.since ? args.since.getTime() : null;
    if (since !== null && (!Number.isFinite(since) || since < 0)) {
      throw badUserInput('Argument "since" must be a time after 1970.', 'since');
    }
    cursor = { v: 1, k: key, s: since, p: {} };
  }

  // Each directory's page, read in parallel from its own position.
  const pages = await Promise.all(
    directories.map(async (directory): Promise<ChangePage | DirectoryFailure> => {
      ctx.read.directory(directory.name);
      if (!directory.listChanges) {
        return new DirectoryFailure(
          directory.name,
          new UnsupportedError(directory.name, 'changes', 'the provider has no change feed'),
        );
      }
      try {
        return await directory.listChanges(
          {
            position: (cursor.p[directory.name] as ChangePosition | undefined) ?? null,
            since: cursor.s,
            limit: first,
          },
          ctx.call,
        );
      } catch (error) {
        return directoryError(directory, error);
      }
    }),
  );

  const streams: (readonly Change[])[] = [];
  let truncated = false;
  let more = false;
  const positions: Record<string, ChangePosition> = { ...(cursor.p as Record<string, ChangePosition>) };
  pages.forEach((page, index) => {
    const directory = directories[index] as DirectoryProvider;
    if (page instanceof DirectoryFailure) {
      // Lost history is reported once and the directory goes on from the present (resync it), so a
      // sync job is never stuck on a cursor; any other failure keeps the directory's place.
      const expired = page.cause instanceof ChangesExpiredError;
      if (single && !expired) throw page;
      ctx.partialErrors.report(info, page);
      if (page.cause instanceof ChangesExpiredError) positions[directory.name] = page.cause.restart;
      else more = true;
      return;
    }
    truncated ||= page.truncated;
    more ||= page.more;
    streams.push(page.changes);
    // Nothing handed out: the directory may still have moved past changes it skipped as seen.
    if (page.changes.length === 0) positions[directory.name] = page.position;
  });
  // Each directory's own order is kept: its position is right after the last change taken from it.
  const merged = takeInOrder(streams, (change) => change.at, first);
  if (merged.left) more = true;
  const taken = merged.taken.map(({ item }) => item);

  const edges: ChangeEdgeShape[] = [];
  for (const change of taken) {
    positions[change.directory] = change.position;
    if (change.userId !== null) ctx.read.userRef(change.directory, change.userId);
    // Signed only if the client asks for this edge's cursor (most polls read `endCursor` only).
    const at = { ...cursor, p: { ...positions } };
    const text = new Lazy(() => ctx.cursors.sealJson(KIND, at));
    edges.push({
      get cursor() {
        return text.value;
      },
      node: change,
    });
  }
  // Every page has an end cursor, even an empty one: a sync job polls with it.
  const endCursor = edges.at(-1)?.cursor ?? ctx.cursors.sealJson(KIND, { ...cursor, p: positions });
  if (truncated) {
    ctx.partialErrors.warn(info, {
      code: CODE.CHANGE_HISTORY_TRUNCATED,
      message: 'A directory’s change history does not reach back to `since`: older changes are gone.',
    });
  }
  return {
    edges,
    pageInfo: { hasNextPage: more, startCursor: edges[0]?.cursor ?? null, endCursor },
    historyTruncated: truncated,
  };
}
