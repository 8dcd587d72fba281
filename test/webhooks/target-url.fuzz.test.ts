import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkResolved, isBlockedAddress, parseTarget } from '../../src/webhooks/target-url.js';

// The SSRF gate of webhook URLs, tried the ways an attacker spells an internal address: decimal, octal
// and hex IPv4, short forms (127.1), IPv4-mapped and -compatible IPv6 (dotted and hex), NAT64, trailing
// dots, letter case, credentials and `@` tricks, ports and paths around them. Each must be refused at
// parsing or when its name resolves; public addresses and names pass.

const strict = { allowHttp: false, allowPrivateNetworks: false };

/** Refused when created: at parsing, or when its name resolves (what createWebhook does). */
async function refused(text: string): Promise<boolean> {
  const parsed = parseTarget(text, strict);
  if (typeof parsed === 'string') return true;
  return (await checkResolved(parsed, strict)) !== null;
}

const octet = fc.integer({ min: 0, max: 255 });
const internalV4 = fc.oneof(
  fc.tuple(fc.constant(127), octet, octet, octet),
  fc.tuple(fc.constant(10), octet, octet, octet),
  fc.tuple(fc.constant(172), fc.integer({ min: 16, max: 31 }), octet, octet),
  fc.tuple(fc.constant(192), fc.constant(168), octet, octet),
  fc.tuple(fc.constant(169), fc.constant(254), octet, octet),
  fc.tuple(fc.constant(100), fc.integer({ min: 64, max: 127 }), octet, octet),
  fc.tuple(fc.constant(0), octet, octet, octet),
);

/** One IPv4 address written in one of the forms WHATWG URL parsers accept. */
const spelled = internalV4.chain(([a, b, c, d]) => {
  const n = ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
  return fc.constantFrom(
    `${a}.${b}.${c}.${d}`,
    String(n),
    `0x${n.toString(16)}`,
    `0${a.toString(8)}.${b}.${c}.${d}`,
    `0x${a.toString(16)}.${b}.${c}.${d}`,
    `${a}.${(b << 16) + (c << 8) + d}`,
    `[::ffff:${a}.${b}.${c}.${d}]`,
    `[::ffff:${((a << 8) + b).toString(16)}:${((c << 8) + d).toString(16)}]`,
    `[0:0:0:0:0:ffff:${a}.${b}.${c}.${d}]`,
    `[::${a}.${b}.${c}.${d}]`,
    `[64:ff9b::${a}.${b}.${c}.${d}]`,
    `${a}.${b}.${c}.${d}.`,
  );
});

const localName = fc.constantFrom(
  'localhost',
  'LOCALHOST',
  'localhost.',
  'api.localhost',
  '[::1]',
  '[0:0:0:0:0:0:0:1]',
  '[::]',
  '[fe80::1]',
  '[fd00::1]',
  '[fc00::abcd]',
  '[ff02::1]',
);

const wrap = (host: fc.Arbitrary<string>) =>
  fc
    .tuple(
      fc.constantFrom('https://', 'HTTPS://', 'https:/', 'https:\\\\'),
      fc.constantFrom('', 'user@', 'user:pass@', 'example.com@'),
      host,
      fc.constantFrom('', ':443', ':8080', ':1'),
      fc.constantFrom('', '/', '/hooks', '/a?b=c', '/%2e%2e/'),
    )
    .map(([scheme, credentials, h, port, path]) => `${scheme}${credentials}${h}${port}${path}`);

describe('webhook URLs (SSRF)', () => {
  it('refuses every spelling of a loopback, private, link-local or CGNAT address', async () => {
    await fc.assert(
      fc.asyncProperty(wrap(fc.oneof(spelled, localName)), async (url) => {
        expect(await refused(url)).toBe(true);
      }),
      { numRuns: 400, seed: 29 },
    );
  });

  it('refuses http:, credentials and fragments; accepts a public https URL', () => {
    expect(parseTarget('http://93.184.215.14/hooks', strict)).toMatch(/https/);
    expect(parseTarget('https://user:secret@93.184.215.14/', strict)).toMatch(/credentials/);
    expect(parseTarget('https://93.184.215.14/#x', strict)).toMatch(/fragment/);
    expect(parseTarget('ftp://93.184.215.14/', { ...strict, allowHttp: true })).toMatch(/http/);
    expect(parseTarget(`https://a.example/${'x'.repeat(2_100)}`, strict)).toMatch(/longer/);
    expect(parseTarget('not a url', strict)).toMatch(/absolute/);
    expect(parseTarget('https://93.184.215.14/hooks', strict)).toBeInstanceOf(URL);
    expect(parseTarget('https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/', strict)).toBeInstanceOf(URL);
  });

  it('allows what the config allows', () => {
    expect(
      parseTarget('http://127.0.0.1:9/x', { allowHttp: true, allowPrivateNetworks: true }),
    ).toBeInstanceOf(URL);
    expect(parseTarget('https://10.1.2.3/', { allowHttp: false, allowPrivateNetworks: true })).toBeInstanceOf(
      URL,
    );
  });

  it('blocks addresses a name may resolve to (checked at every connection)', () => {
    for (const address of [
      '127.0.0.1',
      '10.9.8.7',
      '169.254.169.254',
      '::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      'not-an-ip',
    ]) {
      expect(isBlockedAddress(address)).toBe(true);
    }
    for (const address of ['93.184.215.14', '8.8.8.8', '2606:4700::1111'])
      expect(isBlockedAddress(address)).toBe(false);
  });
});
