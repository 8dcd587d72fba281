import { readFileSync } from 'node:fs';
const p = JSON.parse(readFileSync(process.argv[2]!, 'utf8'));
const byId = new Map<number, any>(p.nodes.map((n: any) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map<number, number>();
p.samples.forEach((id: number, i: number) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
const incl = new Map<string, number>();
let total = 0;
for (const [id, t] of self) {
  const n = byId.get(id);
  if (n.callFrame.functionName === '(idle)') continue;
  total += t;
  const seen = new Set<string>();
  let cur: number | undefined = id;
  while (cur !== undefined) {
    const f = byId.get(cur).callFrame;
    const u = f.url.replace(/.*node_modules\//, '').replace(/.*\/dist\//, 'dist/');
    const key = `${f.functionName || '(anon)'} ${u}:${f.lineNumber}`;
    if (!seen.has(key)) { seen.add(key); incl.set(key, (incl.get(key) ?? 0) + t); }
    cur = parent.get(cur);
  }
}
const filter = process.argv[4] ? new RegExp(process.argv[4]) : null;
[...incl].filter(([k]) => !filter || filter.test(k)).sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[3] ?? 60))
  .forEach(([k, t]) => console.log(`${(100 * t / total).toFixed(1).padStart(5)}%  ${k}`));
