import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SharedState } from '../../src/shared/shared-state.js';

export const REDIS_SERVER = process.env.REDIS_SERVER_PATH ?? '/usr/bin/redis-server';

/**
 * Debian's redis-server on a unix socket in a temporary directory (no TCP port at all), without
 * persistence. `stop` and `start` again keep the same socket path, as a restarted Redis would.
 */
export class RedisServer {
  private child: ChildProcess | null = null;
  readonly socket: string;

  private constructor(private readonly directory: string) {
    this.socket = join(directory, 'redis.sock');
  }

  static async start(): Promise<RedisServer> {
    if (!existsSync(REDIS_SERVER)) throw new Error(`${REDIS_SERVER} missing: apt-get install redis-server`);
    const server = new RedisServer(mkdtempSync(join(tmpdir(), 'usergraph-redis-')));
    await server.start();
    return server;
  }

  async start(): Promise<void> {
    rmSync(this.socket, { force: true });
    const child = spawn(
      REDIS_SERVER,
      [
        '--port',
        '0',
        '--unixsocket',
        this.socket,
        '--unixsocketperm',
        '700',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        this.directory,
        '--loglevel',
        'warning',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    this.child = child;
    const stop = Date.now() + 10_000;
    while (!(await answers(this.socket))) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      if (Date.now() > stop) throw new Error('redis-server did not answer within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Kills it (SIGKILL: as abrupt as a crash). */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child === null || child.exitCode !== null) return;
    child.kill('SIGKILL');
    await once(child, 'exit');
  }

  /**
   * Replicas' links to this server (one SharedState each, as each replica holds one), under
   * `keyPrefix`; resolves once every link's command connection is ready.
   */
  async links(count: number, keyPrefix: string, commandTimeoutMs = 200): Promise<SharedState[]> {
    const links: SharedState[] = [];
    for (let i = 0; i < count; i += 1) {
      const shared = new SharedState({
        path: this.socket,
        keyPrefix,
        expectedReplicas: count,
        commandTimeoutMs,
      });
      if (!shared.ready) await once(shared, 'up');
      links.push(shared);
    }
    return links;
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.directory, { recursive: true, force: true });
  }
}

function answers(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const connection = connect(socket);
    connection.once('connect', () => connection.write('PING\r\n'));
    connection.once('data', (data) => {
      connection.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    connection.once('error', () => resolve(false));
  });
}

/** Lua scripts a Redis has run (EVAL and EVALSHA calls), from its own command statistics. */
export async function scriptCalls(shared: SharedState): Promise<number> {
  const stats = await shared.commands.info('commandstats');
  let calls = 0;
  for (const match of stats.matchAll(/^cmdstat_(?:eval|evalsha):calls=(\d+)/gm)) calls += Number(match[1]);
  return calls;
}
