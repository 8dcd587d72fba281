import type { Server } from 'node:http';

/**
 * Stops accepting connections and lets in-flight requests finish; after `graceMs` the remaining
 * connections are cut. Resolves true when everything finished in time.
 */
export async function closeGracefully(server: Server, graceMs: number): Promise<boolean> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Keep-alive sockets would hold `close` open until they time out: cut each as soon as it is idle,
  // i.e. once its in-flight request has been answered.
  server.closeIdleConnections();
  const sweeper = setInterval(() => server.closeIdleConnections(), 50);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), graceMs);
  });
  const finished = await Promise.race([closed.then(() => true as const), expired]);
  clearTimeout(timer);
  clearInterval(sweeper);
  if (!finished) {
    server.closeAllConnections();
    await closed;
  }
  return finished;
}
