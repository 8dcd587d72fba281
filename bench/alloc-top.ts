// Summarises a .heapprofile from bench/alloc-profile.mjs: bytes allocated by the innermost frame of
// usergraph's own code (dist/…; a package's name where none is on the stack), then by allocating
// function. Usage: tsx bench/alloc-top.ts <file.heapprofile> [rows]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize?: number;
  readonly children?: readonly ProfileNode[];
}

const [file, rowsArg] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: tsx bench/alloc-top.ts <file.heapprofile> [rows]');
const rows = Number(rowsArg ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8')) as { head: ProfileNode };

const byOwnFrame = new Map<string, number>();
const byFunction = new Map<string, number>();
let total = 0;

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url.includes('node_modules/')
    ? url.replace(/.*node_modules\//, '')
    : url.replace(/.*\/dist\//, 'dist/');
  return `${functionName || '(anonymous)'} ${where}:${lineNumber}`;
}

function packageOf(url: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match?.[1] !== undefined) return match[1];
  return url.startsWith('node:') ? 'node' : url === '' ? '(native or generated)' : url;
}

function walk(node: ProfileNode, own: string | undefined): void {
  const name = frameName(node);
  const { url } = node.callFrame;
  const here = url.includes('/dist/') && !url.includes('node_modules/') ? name : own;
  const size = node.selfSize ?? 0;
  total += size;
  byFunction.set(name, (byFunction.get(name) ?? 0) + size);
  const key = here ?? `(no usergraph frame) ${packageOf(url)}`;
  byOwnFrame.set(key, (byOwnFrame.get(key) ?? 0) + size);
  for (const child of node.children ?? []) walk(child, here);
}
walk(profile.head, undefined);

function print(title: string, table: Map<string, number>): void {
  console.log(`\n${title}`);
  for (const [name, size] of [...table].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
    console.log(`${((100 * size) / total).toFixed(1).padStart(5)}%  ${name}`);
  }
}
console.log(`${file}: ${(total / 1e6).toFixed(0)} MB sampled`);
print('By innermost usergraph frame', byOwnFrame);
print('By allocating function', byFunction);
