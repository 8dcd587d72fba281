import { z } from 'zod';
import { Ajv } from 'ajv';
import { jsonObject } from '../../src/http/json-object.js';
import * as mono from '../../src/providers/monocloud/wire.js';
import * as app from '../../src/providers/app-services/wire.js';
import * as zit from '../../src/providers/zitadel/wire.js';
const ajv = new Ajv({ allErrors: false, strict: true });
for (const [name, mod] of [['mono', mono], ['app', app], ['zit', zit]] as const) {
  for (const [k, v] of Object.entries(mod)) {
    if (!(v instanceof z.ZodType)) continue;
    const problems: string[] = [];
    try {
      const js = z.toJSONSchema(v, {
        target: 'draft-7',
        unrepresentable: 'any',
        io: 'output',
        override: (ctx) => {
          const def = (ctx.zodSchema as any)._zod.def;
          if (ctx.zodSchema === jsonObject) { ctx.jsonSchema.type = 'object'; return; }
          if (['custom', 'transform', 'pipe'].includes(def.type)) problems.push(def.type);
          for (const c of def.checks ?? []) if (c._zod.def.check === 'custom') problems.push('refine');
        },
      });
      delete (js as any).$schema;
      ajv.compile(js);
      console.log(name, k, problems.length ? 'UNSUPPORTED ' + problems : 'ok', JSON.stringify(js).length);
    } catch (e) { console.log(name, k, 'FAIL', (e as Error).message.slice(0, 120)); }
  }
}

import { JOHN_DOE as johnDoe } from '../../src/simulators/monocloud/john-doe.js';
const text = JSON.stringify(johnDoe);
const js = z.toJSONSchema(mono.wireUser, { target: 'draft-7', unrepresentable: 'any', override: (ctx) => { if (ctx.zodSchema === jsonObject) ctx.jsonSchema.type = 'object'; } });
delete (js as any).$schema;
const v = new Ajv({ strict: true }).compile(js);
console.log('valid', v(JSON.parse(text)), mono.wireUser.safeParse(JSON.parse(text)).success);
for (let round = 0; round < 3; round++) {
  let t = performance.now();
  for (let i = 0; i < 100000; i++) JSON.parse(text);
  const parse = (performance.now() - t) / 100;
  t = performance.now();
  for (let i = 0; i < 100000; i++) mono.wireUser.safeParse(JSON.parse(text));
  const zod = (performance.now() - t) / 100 - parse;
  t = performance.now();
  for (let i = 0; i < 100000; i++) v(JSON.parse(text));
  const ajvT = (performance.now() - t) / 100 - parse;
  console.log(`parse ${parse.toFixed(2)} us, zod +${zod.toFixed(2)} us, ajv +${ajvT.toFixed(2)} us, bytes ${text.length}`);
}
console.log(JSON.stringify(z.toJSONSchema(z.object({a: z.iso.datetime({ offset: true }), b: z.string().regex(/^\d+$/), c: z.int().optional(), d: z.string().nullish(), e: z.enum(['x','y'])}), { target: 'draft-7' })));
const walk = (s: any, seen = new Set()) => { if (!s || seen.has(s)) return; seen.add(s); const d = s._zod?.def; if (!d) return; const checks = (d.checks ?? []).map((c: any) => c._zod.def.check + (c._zod.def.format ? ':' + c._zod.def.format : '')); if (checks.length) console.log(d.type, checks.join(',')); for (const v of Object.values(d)) { if (v && typeof v === 'object') { if ((v as any)._zod) walk(v, seen); else if (Array.isArray(v)) v.forEach((x) => walk(x, seen)); else for (const w of Object.values(v)) walk(w, seen); } } };
const types = new Set<string>();
const walkT = (s: any, seen = new Set()) => { if (!s || seen.has(s)) return; seen.add(s); const d = s._zod?.def; if (!d) return; types.add(d.type); for (const v of Object.values(d)) { if (v && typeof v === 'object') { if ((v as any)._zod) walkT(v, seen); else if (Array.isArray(v)) v.forEach((x) => walkT(x, seen)); else for (const w of Object.values(v)) walkT(w, seen); } } };
for (const mod of [mono, app, zit]) for (const v of Object.values(mod)) { walk(v); walkT(v); }
console.log([...types].join(','));
