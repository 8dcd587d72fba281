import type { Server } from 'node:http';

export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

/** `SHUTDOWN_GRACE_MS`: how long in-flight requests may take to finish after SIGTERM. */
export function parseShutdownGrace(env: NodeJS.ProcessEnv): number | string {
  const raw = env.SHUTDOWN_GRACE_MS;
  if (raw === undefined || raw === '') return DEFAULT_SHUTDOWN_GRACE_MS;
  const value = Number(raw);
  return Number.isInteger(value) && value >= 0 && value <= 600_000
    ? value
    : 'SHUTDOWN_GRACE_MS: must be a whole number of ms from 0 to 600000';
}

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
