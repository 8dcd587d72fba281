import { readFileSync } from 'node:fs';
const p = JSON.parse(readFileSync(process.argv[2]!, 'utf8'));
const byId = new Map<number, any>(p.nodes.map((n: any) => [n.id, n]));
const self = new Map<number, number>();
p.samples.forEach((id: number, i: number) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
const memo = new Map<number, number>();
const tot = (id: number): number => { if (memo.has(id)) return memo.get(id)!; const n = byId.get(id); let t = self.get(id) ?? 0; for (const c of n.children ?? []) t += tot(c); memo.set(id, t); return t; };
const re = new RegExp(process.argv[3]!);
const agg = new Map<string, number>();
let total = 0;
for (const n of p.nodes) if (re.test(n.callFrame.functionName + ' ' + n.callFrame.url)) {
  total += tot(n.id);
  for (const c of n.children ?? []) { const f = byId.get(c).callFrame; const k = `${f.functionName||'(anon)'} ${f.url.replace(/.*node_modules\//,'').replace(/.*\/dist\//,'dist/')}:${f.lineNumber}`; agg.set(k, (agg.get(k) ?? 0) + tot(c)); }
}
console.log('total', total.toFixed(0));
[...agg].sort((a,b)=>b[1]-a[1]).slice(0, 25).forEach(([k,t]) => console.log(`${(t/1000).toFixed(0).padStart(6)} ms  ${k}`));
