import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import { BlockList, isIP, type Socket } from 'node:net';
import { CODE, PUBLIC_CODES } from '../codes/public-codes.js';
import type { ServerSettings } from '../config/config.js';
import { refusalBody } from '../graphql/graphql-errors.js';

/**
 * node:http with usergraph's bounds (config `server:`): headers within `headersTimeoutMs` (slowloris),
 * the whole request within `requestTimeoutMs`, idle keep-alive sockets closed after
 * `keepAliveTimeoutMs`, at most `maxConnections` open, and no one address holding more than its share:
 * at most `maxConnectionsPerAddress` connections from one peer, or, from a trusted proxy (which carries
 * many clients on its connections), at most that many requests in flight per forwarded client address.
 * When the server nears `maxConnections` it closes its idle keep-alive sockets first, so idle holders
 * give way before anyone is refused. It does not listen.
 */
export function createHttpServer(app: RequestListener, settings: ServerSettings): Server {
  const proxies = trustedProxies(settings.trustedProxies);
  const perAddress = settings.maxConnectionsPerAddress;
  const inFlight = new Map<string, number>();
  const listener: RequestListener = (request, response) => {
    const peer = request.socket.remoteAddress ?? '';
    if (perAddress === 0 || !proxies.check(peer, family(peer))) return app(request, response);
    const client = forwardedClient(request, proxies) ?? peer;
    const count = inFlight.get(client) ?? 0;
    if (count >= perAddress) return refuse(response);
    inFlight.set(client, count + 1);
    response.once('close', () => {
      const left = (inFlight.get(client) ?? 1) - 1;
      if (left <= 0) inFlight.delete(client);
      else inFlight.set(client, left);
    });
    return app(request, response);
  };
  const server = createServer(
    {
      headersTimeout: settings.headersTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      keepAliveTimeout: settings.keepAliveTimeoutMs,
      // How often Node checks those timeouts (every 30 s by default, which lets a slow sender linger).
      connectionsCheckingInterval: Math.min(1_000, settings.headersTimeoutMs),
    },
    listener,
  );
  server.maxConnections = settings.maxConnections;
  const connections = new Map<string, number>();
  let open = 0;
  server.on('connection', (socket: Socket) => {
    open += 1;
    socket.once('close', () => {
      open -= 1;
    });
    if (open >= settings.maxConnections * 0.9) server.closeIdleConnections();
    const peer = socket.remoteAddress ?? '';
    if (perAddress === 0 || proxies.check(peer, family(peer))) return;
    const count = (connections.get(peer) ?? 0) + 1;
    if (count > perAddress) {
      socket.destroy();
      return;
    }
    connections.set(peer, count);
    socket.once('close', () => {
      const left = (connections.get(peer) ?? 1) - 1;
      if (left <= 0) connections.delete(peer);
      else connections.set(peer, left);
    });
  });
  return server;
}

function family(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

/** Addresses and CIDR ranges (`10.0.0.0/8`, `::1`) whose `X-Forwarded-For` is believed. */
function trustedProxies(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split('/');
    const type = family(address ?? '');
    if (prefix === undefined) list.addAddress(address ?? '', type);
    else list.addSubnet(address ?? '', Number(prefix), type);
  }
  return list;
}

/**
 * The client a trusted proxy forwarded: the right-most `X-Forwarded-For` entry that is not itself a
 * trusted proxy (entries to its left could have been written by the client). Null when there is none.
 */
function forwardedClient(request: IncomingMessage, proxies: BlockList): string | null {
  const header = request.headers['x-forwarded-for'];
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value === undefined) return null;
  const hops = value.split(',');
  for (let index = hops.length - 1; index >= 0 && hops.length - index <= 32; index -= 1) {
    const hop = (hops[index] ?? '').trim();
    if (isIP(hop) === 0) return null;
    if (!proxies.check(hop, family(hop))) return hop;
  }
  return null;
}

function refuse(response: ServerResponse): void {
  response.writeHead(PUBLIC_CODES.RATE_LIMITED.status, {
    'content-type': 'application/json; charset=utf-8',
    'retry-after': '1',
  });
  response.end(
    refusalBody(CODE.RATE_LIMITED, 'Too many requests in flight from this client address.', {
      retryAfter: 1,
    }),
  );
}
