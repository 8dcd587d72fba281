import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

// Child processes of the bench, and their own CPU time read from /proc (Linux).

export interface Started {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The first stdout line that `ready` accepted. */
  readonly line: string;
}

/** Spawns a process and waits (up to `timeoutMs`) for a stdout line `ready` accepts; stderr passes through. */
export function start(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; ready: (line: string) => boolean; timeoutMs?: number },
): Promise<Started> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')}: not ready within ${options.timeoutMs ?? 30_000} ms`));
    }, options.timeoutMs ?? 30_000);
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      if (!options.ready(line)) return;
      clearTimeout(timer);
      // Keep draining stdout so a chatty child (an access line per request) never blocks on a full
      // pipe, without splitting it into lines: the load generator shares the machine.
      lines.removeAllListeners('line');
      lines.close();
      child.stdout?.on('data', () => {});
      child.stdout?.resume();
      resolve({ child, pid: child.pid as number, line });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited with code ${code} before it was ready`));
    });
  });
}

/** SIGTERM, then waits for the exit (SIGKILL after 5 s). */
export async function stop(started: Started | undefined): Promise<void> {
  if (!started || started.child.exitCode !== null || started.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => started.child.once('exit', () => resolve()));
  started.child.kill('SIGTERM');
  const timer = setTimeout(() => started.child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** User + system CPU time the process has used so far, in ms. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name (which may itself contain spaces); utime and stime are
  // the 14th and 15th fields of the whole line.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** The process's resident set size now, in MB (VmRSS from /proc). */
export function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb ?? 0) / 1024;
}
