// A GraphQL-over-SSE subscriber as a browser's EventSource or graphql-sse's client reads it (distinct
// connections mode): POST the operation, read `data:` blocks as they come; the events, the errors it
// ended with, and how to end it.

export interface FeedEvent {
  readonly cursor: string;
  readonly change: { readonly id: string; readonly kind: string; readonly directoryName: string };
}

export const CHANGES_SUBSCRIPTION =
  'subscription ($after: String, $directories: [String!], $kinds: [ChangeKind!]) { changes(after: $after, directories: $directories, kinds: $kinds) { cursor change { id kind directoryName } } }';

export interface Subscriber {
  readonly events: FeedEvent[];
  /** The `id:` of each event, as an EventSource keeps the last one for `Last-Event-ID`. */
  readonly ids: (string | null)[];
  readonly errors: { message?: string; extensions?: { code?: string } }[];
  readonly ended: boolean;
  /** Settles with the first bytes of the answer (the server's first keep-alive comment). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export function subscribeOverSse(
  url: string,
  variables: Record<string, unknown>,
  headers: Record<string, string>,
): Subscriber {
  const events: FeedEvent[] = [];
  const ids: (string | null)[] = [];
  const errors: Subscriber['errors'] = [];
  const controller = new AbortController();
  let ended = false;
  let started: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    started = resolve;
  });
  const done = (async () => {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
        body: JSON.stringify({ query: CHANGES_SUBSCRIPTION, variables }),
        signal: controller.signal,
      });
      const reader = response.body?.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      while (reader) {
        const { value, done: finished } = await reader.read();
        if (finished) break;
        started();
        buffer += decoder.decode(value, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const id = block
            .split('\n')
            .find((line) => line.startsWith('id:'))
            ?.slice(3)
            .trim();
          const data = block
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trim())
            .join('');
          if (data === '') continue;
          const message = JSON.parse(data) as {
            data?: { changes: FeedEvent | null };
            errors?: Subscriber['errors'];
          };
          if (message.data?.changes) {
            events.push(message.data.changes);
            ids.push(id ?? null);
          }
          if (message.errors) errors.push(...message.errors);
        }
      }
    } catch {
      // Aborted by the test.
    } finally {
      ended = true;
      started();
    }
  })();
  return {
    events,
    ids,
    errors,
    ready,
    get ended() {
      return ended;
    },
    close: async () => {
      controller.abort();
      await done;
    },
  };
}

export async function until(done: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Starts the replicas' pollers and waits until each of `directories` has a holder that has polled it. */
export async function startPollers(
  pollers: readonly { start(): void; readonly reads: ReadonlyMap<string, number> }[],
  directories: readonly string[] = ['acme', 'corp'],
): Promise<void> {
  for (const poller of pollers) poller.start();
  await until(() => directories.every((name) => pollers.some((poller) => (poller.reads.get(name) ?? 0) > 0)));
}
