// Lets `npm start` and `npm test` work straight after `git clone`: installs the locked dependencies
// (npm ci) when node_modules is missing or older than package-lock.json. With `--browser` (npm test)
// it also installs Debian's Chromium for the GraphiQL browser test when it is missing and apt-get can
// run. Plain Node, no dependencies.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const root = new URL('..', import.meta.url);
const lock = new URL('package-lock.json', root);
const installed = new URL('node_modules/.package-lock.json', root);

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  console.log('usergraph: installing dependencies (npm ci)…');
  run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['ci', '--no-audit', '--no-fund']);
}

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (process.argv.includes('--browser') && !existsSync(chromium)) {
  const canApt = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (canApt) {
    console.log('usergraph: installing Debian chromium for the GraphiQL browser test (apt-get)…');
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', 'chromium']);
  } else {
    console.warn(
      `usergraph: the GraphiQL browser test needs Chromium at ${chromium} (apt-get install chromium, or set CHROMIUM_PATH); it will fail without it.`,
    );
  }
}
