import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** One usergraph process as production runs it: `src/main.ts --config <file>`, its log on stdout. */
export class Replica {
  output = '';

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    private readonly directory: string,
    readonly port: number,
  ) {}

  /** Starts one with `config` (written to a file of its own) and waits until it listens. */
  static async start(name: string, config: Record<string, unknown>): Promise<Replica> {
    const directory = mkdtempSync(join(tmpdir(), `usergraph-${name}-`));
    const file = join(directory, 'usergraph.yaml');
    writeFileSync(file, stringify(config));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', file], {
      env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${name}: not listening within 30 s:\n${output}`)),
        30_000,
      );
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const found = /localhost:(\d+)\/graphql/.exec(output);
        if (found?.[1]) {
          clearTimeout(timer);
          resolve(Number(found[1]));
        }
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited with ${code}:\n${output}`));
      });
    });
    const replica = new Replica(name, child, directory, port);
    replica.output = output;
    child.stdout?.on('data', (chunk: Buffer) => {
      replica.output += chunk.toString();
    });
    return replica;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGKILL: a crash, not a shutdown. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGKILL');
    await once(this.child, 'exit');
  }

  async stop(): Promise<void> {
    if (this.alive) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      await once(this.child, 'exit');
      clearTimeout(timer);
    }
    rmSync(this.directory, { recursive: true, force: true });
  }
}
