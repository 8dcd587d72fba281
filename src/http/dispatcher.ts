import { type Dispatcher, EnvHttpProxyAgent, Pool } from 'undici';

export interface DispatcherOptions {
  /** Sockets to the directory: one per call it may have in flight. */
  readonly connections: number;
  /** Extra certificate authorities (PEM) to trust for this directory, beside Node's (and NODE_EXTRA_CA_CERTS). */
  readonly ca?: string;
  /** Offer HTTP/2 by ALPN (undici's `allowH2`); HTTP/1.1 where the directory declines. */
  readonly http2?: boolean;
}

/** The standard proxy variables, either case (curl's convention). */
const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

/** Whether the environment names a forward proxy. */
export function proxyConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return PROXY_VARIABLES.some((name) => (env[name] ?? '') !== '');
}

/**
 * How one directory's calls leave the process. Directly: a Pool for its one origin (no URL parsing or
 * origin lookup per call). When the environment names a proxy (HTTPS_PROXY, HTTP_PROXY,
 * NO_PROXY, as enterprise networks set them): undici's EnvHttpProxyAgent, which tunnels HTTPS through
 * the proxy with CONNECT and skips it for hosts NO_PROXY lists. Either way `ca` is trusted for the
 * directory's own TLS.
 */
export function upstreamDispatcher(
  origin: string,
  options: DispatcherOptions,
  env: NodeJS.ProcessEnv = process.env,
): Dispatcher {
  const tls = options.ca === undefined ? undefined : { ca: options.ca };
  const common = {
    connections: options.connections,
    keepAliveTimeout: 30_000,
    pipelining: 1,
    ...(options.http2 === true ? { allowH2: true } : {}),
  };
  if (proxyConfigured(env)) {
    return new EnvHttpProxyAgent({
      ...common,
      ...(tls === undefined ? {} : { connect: tls, requestTls: tls }),
    });
  }
  return new Pool(origin, { ...common, ...(tls === undefined ? {} : { connect: tls }) });
}
