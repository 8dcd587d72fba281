import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';

type Alg = 'RS256' | 'ES256' | 'EdDSA';

/**
 * A real OIDC issuer for tests: its discovery document and JWKS served over HTTP on 127.0.0.1, keys
 * generated per run, tokens signed with them. It counts how often its key set is fetched.
 */
export class TestIssuer {
  jwksFetches = 0;
  discoveryFetches = 0;
  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly keys: Record<Alg, { kid: string; privateKey: CryptoKey; publicKey: CryptoKey }>,
  ) {}

  static async start(): Promise<TestIssuer> {
    const algs: Alg[] = ['RS256', 'ES256', 'EdDSA'];
    const pairs = await Promise.all(algs.map((alg) => generateKeyPair(alg, { extractable: true })));
    const keys = Object.fromEntries(
      algs.map((alg, i) => [alg, { kid: `key-${alg}`, ...pairs[i] }]),
    ) as Record<Alg, { kid: string; privateKey: CryptoKey; publicKey: CryptoKey }>;
    const jwks = {
      keys: await Promise.all(
        algs.map(async (alg) => ({
          ...(await exportJWK(keys[alg].publicKey)),
          kid: keys[alg].kid,
          alg,
          use: 'sig',
        })),
      ),
    };
    let issuer: TestIssuer | undefined;
    const server = createServer((req, res) => {
      if (req.url === '/.well-known/openid-configuration') {
        if (issuer) issuer.discoveryFetches += 1;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ issuer: issuer?.url, jwks_uri: `${issuer?.url}/jwks` }));
      } else if (req.url === '/jwks') {
        if (issuer) issuer.jwksFetches += 1;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(jwks));
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = new TestIssuer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, keys);
    return issuer;
  }

  publicKey(alg: Alg): CryptoKey {
    return this.keys[alg].publicKey;
  }

  /** A token for `audience` with these claims, valid for an hour unless the claims say otherwise. */
  async sign(
    claims: JWTPayload,
    options: { alg?: Alg; kid?: string; audience?: string; issuer?: string; typ?: string } = {},
  ): Promise<string> {
    const alg = options.alg ?? 'RS256';
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iat: now, exp: now + 3600, ...claims })
      .setProtectedHeader({ alg, kid: options.kid ?? this.keys[alg].kid, typ: options.typ ?? 'JWT' })
      .setIssuer(options.issuer ?? this.url)
      .setAudience(options.audience ?? 'usergraph')
      .sign(this.keys[alg].privateKey);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
