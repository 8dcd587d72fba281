import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWTPayload, jwtVerify, SignJWT } from 'jose';

type Alg = 'RS256' | 'ES256' | 'EdDSA';

/** A client allowed to introspect: by secret (HTTP Basic) or by a public key (`private_key_jwt`). */
export interface IntrospectionClient {
  readonly secret?: string;
  readonly publicKey?: CryptoKey;
}

/**
 * A real OIDC issuer for tests: its discovery document and JWKS served over HTTP on 127.0.0.1, keys
 * generated per run, tokens signed with them; and RFC 7662 introspection of opaque tokens it issued,
 * for the clients it knows (client_secret_basic or private_key_jwt, as ZITADEL documents them). It
 * counts how often its key set is fetched and tokens are introspected.
 */
export class TestIssuer {
  jwksFetches = 0;
  discoveryFetches = 0;
  introspections = 0;
  /** While true, introspection answers 503 (the issuer is down). */
  down = false;
  readonly clients = new Map<string, IntrospectionClient>();
  private readonly opaque = new Map<string, Record<string, unknown>>();
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
      if (req.url === '/introspect' && req.method === 'POST' && issuer) {
        void issuer.introspect(req).then(([status, body]) => {
          res.statusCode = status;
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify(body));
        });
      } else if (req.url === '/.well-known/openid-configuration') {
        if (issuer) issuer.discoveryFetches += 1;
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            issuer: issuer?.url,
            jwks_uri: `${issuer?.url}/jwks`,
            introspection_endpoint: `${issuer?.url}/introspect`,
            introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'private_key_jwt'],
          }),
        );
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
    options: { alg?: Alg; kid?: string; audience?: string | string[]; issuer?: string; typ?: string } = {},
  ): Promise<string> {
    const alg = options.alg ?? 'RS256';
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iat: now, exp: now + 3600, ...claims })
      .setProtectedHeader({ alg, kid: options.kid ?? this.keys[alg].kid, typ: options.typ ?? 'JWT' })
      .setIssuer(options.issuer ?? this.url)
      .setAudience(options.audience ?? 'usergraph')
      .sign(this.keys[alg].privateKey);
  }

  /** An opaque token (random, as ZITADEL's default ones are) whose introspection answer holds `claims`. */
  issueOpaque(claims: Record<string, unknown>): string {
    const token = randomBytes(32).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    this.opaque.set(token, { iss: this.url, iat: now, exp: now + 3600, token_type: 'Bearer', ...claims });
    return token;
  }

  revoke(token: string): void {
    this.opaque.delete(token);
  }

  private async introspect(req: IncomingMessage): Promise<[number, unknown]> {
    let body = '';
    for await (const chunk of req) body += chunk;
    this.introspections += 1;
    if (this.down) return [503, { error: 'temporarily_unavailable' }];
    const form = new URLSearchParams(body);
    if (!(await this.authenticated(req, form))) return [401, { error: 'invalid_client' }];
    const claims = this.opaque.get(form.get('token') ?? '');
    if (claims === undefined || (claims.exp as number) * 1000 < Date.now()) return [200, { active: false }];
    return [200, { active: true, ...claims }];
  }

  private async authenticated(req: IncomingMessage, form: URLSearchParams): Promise<boolean> {
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (basic !== undefined) {
      const [id, secret] = Buffer.from(basic, 'base64').toString('utf8').split(':').map(decodeURIComponent);
      const client = this.clients.get(id ?? '');
      return client?.secret !== undefined && client.secret === secret;
    }
    const assertion = form.get('client_assertion');
    if (
      form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' ||
      !assertion
    ) {
      return false;
    }
    const id = form.get('client_id') ?? '';
    const key = this.clients.get(id)?.publicKey;
    if (key === undefined) return false;
    try {
      const { payload } = await jwtVerify(assertion, key, {
        issuer: id,
        subject: id,
        audience: [this.url, `${this.url}/introspect`],
      });
      return typeof payload.exp === 'number';
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
