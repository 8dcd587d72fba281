// Lets `npm start` and `npm test` work straight after `git clone`: installs the locked dependencies
// (npm ci) when node_modules is missing or older than package-lock.json. Plain Node, no dependencies.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const lock = new URL('../package-lock.json', import.meta.url);
const installed = new URL('../node_modules/.package-lock.json', import.meta.url);

if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  console.log('usergraph: installing dependencies (npm ci)…');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], {
    stdio: 'inherit',
    cwd: new URL('..', import.meta.url),
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
