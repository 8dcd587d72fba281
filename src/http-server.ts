import { createServer, type RequestListener, type Server } from 'node:http';
import type { ServerSettings } from './config.js';

/**
 * node:http with usergraph's bounds (config `server:`): headers within `headersTimeoutMs` (slowloris),
 * the whole request within `requestTimeoutMs`, idle keep-alive sockets closed after
 * `keepAliveTimeoutMs`, at most `maxConnections` open. It does not listen.
 */
export function createHttpServer(app: RequestListener, settings: ServerSettings): Server {
  const server = createServer(
    {
      headersTimeout: settings.headersTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      keepAliveTimeout: settings.keepAliveTimeoutMs,
      // How often Node checks those timeouts (every 30 s by default, which lets a slow sender linger).
      connectionsCheckingInterval: Math.min(1_000, settings.headersTimeoutMs),
    },
    app,
  );
  server.maxConnections = settings.maxConnections;
  return server;
}
