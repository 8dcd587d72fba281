import { CODE } from '../codes/public-codes.js';
import type { Change, ChangeKind } from '../directory/change-model.js';
import type { Context } from '../graphql/context.js';
import { badUserInput, forbidden, publicError } from '../graphql/graphql-errors.js';
import { chooseDirectories } from './choose-directories.js';

// `subscription { changes }`: the pushed feed. Each event is one change of one directory, read from
// that directory's stream (never from the directory itself), in the directory's order, with a cursor
// that resumes right after it. The stream keeps a bounded history: a cursor older than it ends the
// subscription with CHANGES_EXPIRED (resume with a fresh `changes(since:)` scan and reconcile).

export interface FeedEvent {
  readonly cursor: string;
  readonly change: Change;
}

export interface SubscribeArgs {
  readonly after?: string | null;
  readonly directories?: readonly string[] | null;
  readonly kinds?: readonly ChangeKind[] | null;
}

const CURSOR_KIND = 'feed';
/** The longest a subscription waits for an event before it looks again (token expiry, shutdown). */
const WAIT_MS = 15_000;

export async function* subscribeChanges(ctx: Context, args: SubscribeArgs): AsyncGenerator<FeedEvent> {
  if (ctx.feed === null) {
    throw publicError(
      CODE.UNSUPPORTED_BY_PROVIDER,
      'This server runs no change feed (feed.enabled is off).',
      {
        feature: 'subscriptions',
      },
    );
  }
  const feed = ctx.feed;
  const { stream, limits, slots } = feed;
  if (!ctx.grants['changes:read']) throw forbidden('changes:read');
  const chosen = chooseDirectories(ctx, args.directories).filter((directory) => directory.listChanges);
  const kinds = args.kinds === null || args.kinds === undefined ? null : new Set(args.kinds);
  const positions = new Map<string, number>();
  // An EventSource that reconnects names the last event it got (its id is the cursor) in a header.
  const after = args.after ?? ctx.lastEventId ?? null;
  const given = after === null ? null : readCursor(ctx, after);
  for (const directory of chosen) {
    const from = given?.[directory.name];
    positions.set(directory.name, from ?? (await streamed(stream.read(directory.name, 0, 0))).last);
  }
  const who = `${ctx.principal.kind}:${ctx.principal.subject}`;
  if (!slots.take(who, limits.subscriptionsPerPrincipal)) {
    throw publicError(
      CODE.RATE_LIMITED,
      `At most ${limits.subscriptionsPerPrincipal} subscriptions per caller at once (feed.subscriptionsPerPrincipal).`,
      { limit: 'subscriptions' },
    );
  }
  // The request's signal may be a fetch ponyfill's, which AbortSignal.any refuses: follow it by hand.
  const ended = new AbortController();
  const signal = ended.signal;
  const clientGone = () => ended.abort();
  if (ctx.clientSignal?.aborted || feed.closing?.aborted) ended.abort();
  ctx.clientSignal?.addEventListener('abort', clientGone, { once: true });
  // A draining replica completes its subscriptions (the client resumes elsewhere with its cursor).
  feed.closing?.addEventListener('abort', clientGone, { once: true });
  let second = 0;
  let sentThisSecond = 0;
  try {
    while (!signal.aborted) {
      expireWith(ctx);
      let sent = false;
      for (const directory of chosen) {
        const name = directory.name;
        const read = await streamed(stream.read(name, positions.get(name) ?? 0, 100));
        if (read.expired) {
          throw publicError(
            CODE.CHANGES_EXPIRED,
            `Directory "${name}": the stream no longer holds the changes at this cursor; start a fresh scan with \`changes(since:)\` and reconcile.`,
            { directory: name },
          );
        }
        for (const entry of read.entries) {
          positions.set(name, entry.seq);
          if (kinds !== null && !kinds.has(entry.change.kind)) continue;
          const now = Math.floor(Date.now() / 1000);
          if (now !== second) {
            second = now;
            sentThisSecond = 0;
          }
          if (sentThisSecond >= limits.eventsPerSecond) {
            await new Promise((resolve) => setTimeout(resolve, (second + 1) * 1000 - Date.now()));
            second = Math.floor(Date.now() / 1000);
            sentThisSecond = 0;
          }
          sentThisSecond += 1;
          sent = true;
          yield {
            cursor: ctx.cursors.sealJson(CURSOR_KIND, Object.fromEntries(positions)),
            change: entry.change,
          };
        }
      }
      if (sent) continue;
      const left =
        ctx.principal.expiresAt === null ? WAIT_MS : Math.min(WAIT_MS, ctx.principal.expiresAt - Date.now());
      await streamed(
        Promise.race(
          chosen.map((directory) =>
            stream.wait(directory.name, positions.get(directory.name) ?? 0, Math.max(0, left), signal),
          ),
        ),
      );
    }
  } finally {
    ctx.clientSignal?.removeEventListener('abort', clientGone);
    feed.closing?.removeEventListener('abort', clientGone);
    ended.abort();
    slots.give(who);
  }
}

/** What the stream answers; its store failing (Redis unreachable) ends the subscription with a code. */
async function streamed<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch {
    throw publicError(
      CODE.CHANGE_STREAM_UNAVAILABLE,
      'The change streams are unreachable: subscribe again with the last cursor in a moment.',
    );
  }
}

/** A subscription never outlives its token: it ends with UNAUTHENTICATED when the token expires. */
function expireWith(ctx: Context): void {
  if (ctx.principal.expiresAt !== null && Date.now() >= ctx.principal.expiresAt) {
    throw publicError(
      CODE.UNAUTHENTICATED,
      'The token expired: subscribe again with a fresh one (and the last cursor).',
      {
        reason: 'token expired',
      },
    );
  }
}

function readCursor(ctx: Context, text: string): Record<string, number> {
  const value = ctx.cursors.openJson(CURSOR_KIND, text);
  const valid =
    typeof value === 'object' &&
    value !== null &&
    Object.values(value).every((seq) => Number.isSafeInteger(seq) && (seq as number) >= 0);
  if (!valid) throw badUserInput('Argument "after" is not a cursor of this subscription.', 'after');
  return value as Record<string, number>;
}
