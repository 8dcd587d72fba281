import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { type Config, loadConfigFile, type ServerSettings, serverSettings } from '../config/config.js';
import { LOG_LEVELS, type LogLevel } from '../observability/logger.js';
import { type TracingSettings, tracingSettingsFrom } from '../observability/tracing.js';

// Everything the process is started with, read once: the config file (or demo mode), the environment
// (PORT, HOST, SHUTDOWN_GRACE_MS, LOG_LEVEL, OTEL_*) and the flags (--config, --subgraph). One typed, readonly
// object, or every problem at once.

export type DirectorySource =
  | { readonly kind: 'file'; readonly path: string; readonly config: Config }
  /** No config anywhere: the built-in simulators (src/demo.ts). */
  | { readonly kind: 'demo' };

export interface ProcessConfig {
  readonly source: DirectorySource;
  readonly port: number;
  /** The address to listen on: `HOST`, else loopback in demo mode; undefined is every interface. */
  readonly host: string | undefined;
  /** After SIGTERM/SIGINT, how long in-flight requests may take to finish. */
  readonly shutdownGraceMs: number;
  readonly logLevel: LogLevel;
  /** Serve as an Apollo Federation 2 subgraph (`--subgraph` or `federation: true`). */
  readonly federation: boolean;
  /** Production defaults: the file's `production`, else `NODE_ENV=production`. */
  readonly production: boolean;
  /** The HTTP server's timeouts and connection cap (the file's `server:`, or its defaults). */
  readonly server: ServerSettings;
  /** OpenTelemetry tracing from the standard `OTEL_*` variables; null: off. */
  readonly tracing: TracingSettings | null;
}

export type ProcessConfigResult =
  | { readonly ok: true; readonly config: ProcessConfig }
  | { readonly ok: false; readonly problems: readonly string[] };

export const DEFAULT_PORT = 4000;
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

export function loadProcessConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): ProcessConfigResult {
  const problems: string[] = [];
  const port = wholeNumber(env, 'PORT', DEFAULT_PORT, 0, 65_535, problems);
  const shutdownGraceMs = wholeNumber(
    env,
    'SHUTDOWN_GRACE_MS',
    DEFAULT_SHUTDOWN_GRACE_MS,
    0,
    600_000,
    problems,
  );
  const logLevel = (env.LOG_LEVEL || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL: must be one of ${LOG_LEVELS.join(', ')}`);
  const tracing = tracingSettingsFrom(env, problems);
  const host = env.HOST || undefined;
  if (host !== undefined && isIP(host) === 0 && !/^[A-Za-z0-9.-]{1,253}$/.test(host)) {
    problems.push('HOST: must be an IP address or a host name');
  }

  const path = configPath(argv, env, cwd);
  let source: DirectorySource = { kind: 'demo' };
  if (path !== null) {
    const file = loadConfigFile(path, env);
    if (file.ok) source = { kind: 'file', path, config: file.config };
    else problems.push(...file.problems);
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: {
      source,
      port,
      host: host ?? (source.kind === 'demo' ? '127.0.0.1' : undefined),
      shutdownGraceMs,
      logLevel,
      federation: argv.includes('--subgraph') || (source.kind === 'file' && source.config.federation),
      production:
        (source.kind === 'file' ? source.config.production : undefined) ?? env.NODE_ENV === 'production',
      server: source.kind === 'file' ? source.config.server : serverSettings.parse({}),
      tracing,
    },
  };
}

/** The config file to read: `--config FILE`, else `USERGRAPH_CONFIG`, else `./usergraph.yaml` if present; null → demo. */
export function configPath(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): string | null {
  const flag = argv.findIndex((arg) => arg === '--config' || arg.startsWith('--config='));
  if (flag >= 0) {
    const arg = argv[flag] ?? '';
    const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[flag + 1];
    return resolve(cwd, value ?? '');
  }
  if (env.USERGRAPH_CONFIG) return resolve(cwd, env.USERGRAPH_CONFIG);
  const local = resolve(cwd, 'usergraph.yaml');
  return existsSync(local) ? local : null;
}

function wholeNumber(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (/^\d+$/.test(raw.trim()) && value >= min && value <= max) return value;
  problems.push(`${name}: must be a whole number from ${min} to ${max}`);
  return fallback;
}
