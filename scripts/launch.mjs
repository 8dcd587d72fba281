// Lets `npm start` and `npm test` work straight after `git clone`, whatever node the machine has:
// it finds or installs Node 24 (scripts/node24.mjs), installs the locked dependencies when
// node_modules is missing, older than package-lock.json or smaller than the command needs (`start`:
// the server and the demo kit, `npm ci --omit=dev`; `test`: everything), and then runs, under Node 24,
//   node scripts/launch.mjs start [args…]   → usergraph from its TypeScript sources (demo or config)
//   node scripts/launch.mjs test [args…]    → vitest, after installing what the real-component tests
//                                            start (Debian's chromium, redis-server, prometheus, haproxy)
// Plain Node, no dependencies.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';
import { node24Bin } from './node24.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const [command, ...rest] = process.argv.slice(2);

/** What the tests start for real, by Debian package and the file it must leave behind. */
const TEST_PACKAGES = [
  ['chromium', process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'],
  ['prometheus', process.env.PROMETHEUS_PATH ?? '/usr/bin/prometheus'],
  ['redis-server', process.env.REDIS_SERVER_PATH ?? '/usr/bin/redis-server'],
  ['haproxy', process.env.HAPROXY_PATH ?? '/usr/sbin/haproxy'],
];

const bin = node24Bin();
const env = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` };

function run(program, args) {
  const result = spawnSync(program, args, { stdio: 'inherit', cwd: root, env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const lock = `${root}package-lock.json`;
const installed = `${root}node_modules/.package-lock.json`;
// What the last install here holds: `demo` (no dev dependencies) or `full`.
const marker = `${root}node_modules/.usergraph-install`;
const want = command === 'test' ? 'full' : 'demo';
const fresh = existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs;
const have = fresh && existsSync(marker) ? readFileSync(marker, 'utf8').trim() : fresh ? 'full' : null;
if (have === null || (want === 'full' && have !== 'full')) {
  const args =
    want === 'full' ? ['ci', '--no-audit', '--no-fund'] : ['ci', '--omit=dev', '--no-audit', '--no-fund'];
  console.log(
    `usergraph: installing ${want === 'full' ? 'every dependency' : 'what the demo needs'} (npm ${args.join(' ')})…`,
  );
  run(process.platform === 'win32' ? 'npm.cmd' : 'npm', args);
  writeFileSync(marker, `${want}\n`);
}

if (command === 'test') {
  const missing = TEST_PACKAGES.filter(([, path]) => !existsSync(path)).map(([name]) => name);
  if (missing.length > 0) {
    if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
      console.log(`usergraph: installing ${missing.join(', ')} for the tests that run them (apt-get)…`);
      run('apt-get', ['update', '-qq']);
      run('apt-get', ['install', '-y', '-qq', ...missing]);
    } else {
      console.warn(
        `usergraph: tests need ${missing.join(', ')} (Debian packages; apt-get install ${missing.join(' ')}); they will fail without them.`,
      );
    }
  }
}

const node = `${bin}/node`;
const args =
  command === 'test'
    ? ['node_modules/vitest/vitest.mjs', 'run', ...rest]
    : command === 'start'
      ? ['--import', 'tsx', 'src/main.ts', ...rest]
      : null;
if (args === null) {
  console.error('usage: node scripts/launch.mjs start|test [args…]');
  process.exit(2);
}
const child = spawn(node, args, { stdio: 'inherit', cwd: root, env });
// Ctrl-C and SIGTERM reach the child (same process group for Ctrl-C); the launcher exits with it.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
