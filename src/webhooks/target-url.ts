import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

// Where a webhook may point (SSRF): https only, no credentials in the URL, and no address inside the
// networks a server's own neighbours live in — loopback, private, link-local (cloud metadata at
// 169.254.169.254), carrier-grade NAT, unspecified, multicast and their IPv6 forms — unless the config
// allows them. Checked when the webhook is created and again at every connection (a name that resolved
// to a public address then may resolve to a private one later: DNS rebinding).

export interface TargetPolicy {
  /** Plain `http:` allowed (tests, a receiver on the same host). */
  readonly allowHttp: boolean;
  /** Loopback, private and link-local addresses allowed. */
  readonly allowPrivateNetworks: boolean;
}

const BLOCKED_V4 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED_V4.addSubnet(network, prefix, 'ipv4');
}
// Separate lists: Node's BlockList matches IPv4 addresses against IPv6 rules in their mapped form, so
// one list holding `::ffff:0:0/96` would block every IPv4 address.
const BLOCKED_V6 = new BlockList();
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) {
  BLOCKED_V6.addSubnet(network, prefix, 'ipv6');
}

/** The longest URL a webhook may have. */
export const MAX_URL_LENGTH = 2_048;

/** Whether `address` (an IP literal) is in a network the policy keeps webhooks out of. */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 4) return BLOCKED_V4.check(address, 'ipv4');
  const groups = ipv6Groups(address);
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) forms reach an IPv4 host: judge that one.
  if (groups.slice(0, 5).every((group) => group === 0) && (groups[5] === 0xffff || groups[5] === 0)) {
    const [high = 0, low = 0] = groups.slice(6);
    if (groups[5] === 0xffff || high !== 0 || low > 1) {
      return BLOCKED_V4.check(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`, 'ipv4');
    }
  }
  return BLOCKED_V6.check(address, 'ipv6');
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a dotted IPv4 tail read as two groups). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted !== null) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) + b).toString(16)}:${((c << 8) + d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const middle = tail === undefined ? [] : Array(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((group) => Number.parseInt(group, 16));
}

/** Why `text` cannot be a webhook's URL under `policy` (a sentence), or the URL. Names resolve later. */
export function parseTarget(text: string, policy: TargetPolicy): URL | string {
  if (text.length > MAX_URL_LENGTH) return `the URL is longer than ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'not an absolute URL';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) {
    return policy.allowHttp
      ? 'the URL must be http: or https:'
      : 'the URL must be https: (webhooks.allowHttp is off)';
  }
  if (url.username !== '' || url.password !== '') return 'the URL must not carry credentials';
  if (url.hash !== '') return 'the URL must not have a fragment';
  const host = hostOf(url);
  if (!policy.allowPrivateNetworks) {
    if (host === 'localhost' || host.endsWith('.localhost')) return 'the URL names this host (localhost)';
    if (isIP(host) !== 0 && isBlockedAddress(host))
      return 'the URL is in a private, loopback or link-local network';
  }
  return url;
}

/** The URL's host without IPv6 brackets or a trailing dot (`localhost.` is localhost). */
export function hostOf(url: URL): string {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for outbound connections that refuses names resolving into blocked networks (every
 * address must be allowed, so the connection cannot pick a blocked one).
 */
export function guardedLookup(policy: TargetPolicy) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const list = addresses as LookupAddress[];
      if (!policy.allowPrivateNetworks && list.some((entry) => isBlockedAddress(entry.address))) {
        const refused: NodeJS.ErrnoException = new Error('resolves into a blocked network');
        refused.code = 'EBLOCKED';
        return callback(refused, []);
      }
      if (options.all === true) return callback(null, list);
      const first = list[0];
      if (first === undefined)
        return callback(Object.assign(new Error('no address'), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
}

/** Resolves `url`'s host now and says why it is refused, or null (creation-time check). */
export async function checkResolved(url: URL, policy: TargetPolicy): Promise<string | null> {
  const host = hostOf(url);
  if (policy.allowPrivateNetworks || isIP(host) !== 0) return null;
  return new Promise((resolve) => {
    guardedLookup(policy)(host, { all: true }, (error) => {
      if (error === null) return resolve(null);
      resolve(
        error.code === 'EBLOCKED'
          ? 'the URL’s host resolves into a private, loopback or link-local network'
          : 'the URL’s host does not resolve',
      );
    });
  });
}
