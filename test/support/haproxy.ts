import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopServer } from './child.js';
import { freePort } from './ports.js';

export const HAPROXY = process.env.HAPROXY_PATH ?? '/usr/sbin/haproxy';

/**
 * Debian's HAProxy on 127.0.0.1, round-robin over `backends` with health checks on /health; a request
 * that finds its server gone is retried on another (GraphQL queries are reads, safe to resend).
 */
export class HaProxy {
  private constructor(
    private readonly child: ChildProcess,
    private readonly directory: string,
    readonly url: string,
  ) {}

  static async start(backends: readonly { name: string; port: number }[]): Promise<HaProxy> {
    if (!existsSync(HAPROXY)) throw new Error(`${HAPROXY} missing: apt-get install haproxy`);
    const directory = mkdtempSync(join(tmpdir(), 'usergraph-haproxy-'));
    const port = await freePort();
    const config = join(directory, 'haproxy.cfg');
    writeFileSync(
      config,
      `global
  maxconn 2000
defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 30s
  retries 3
  option redispatch
  option forwardfor
  retry-on conn-failure empty-response response-timeout 502 503
frontend graphql
  bind 127.0.0.1:${port}
  default_backend usergraph
backend usergraph
  balance roundrobin
  option httpchk GET /health
  http-check expect status 200
  default-server inter 300ms fall 2 rise 2
${backends.map((backend) => `  server ${backend.name} 127.0.0.1:${backend.port} check`).join('\n')}
`,
    );
    let output = '';
    const child = spawn(HAPROXY, ['-db', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const proxy = new HaProxy(child, directory, `http://127.0.0.1:${port}`);
    const stop = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`haproxy exited:\n${output}`);
      try {
        if ((await fetch(`${proxy.url}/health`)).ok) return proxy;
      } catch {
        // not yet
      }
      if (Date.now() > stop) throw new Error(`haproxy not answering within 10 s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  stop(): Promise<void> {
    return stopServer(this.child, this.directory);
  }
}
