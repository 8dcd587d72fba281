// The three simulators in a process of their own, so the gateway's and the floor's CPU is measured
// without the upstreams'. Prints one JSON line (origins, credentials, local ids, control origin) and
// serves a control endpoint: GET /__counts returns the requests per route since the last call and
// starts counting afresh (`non2xx` and `status429` among them); POST /__quota sets a simulator's quota;
// POST /__signins makes MonoCloud sign-ins (the subscription bench's changes).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimulatorSet } from '../src/simulators/index.js';
import type { Simulator } from '../src/simulators/server.js';
import { makeTestCa } from '../src/simulators/test-ca.js';

export interface SimulatorsInfo {
  readonly control: string;
  readonly pid: number;
  readonly monocloud: { readonly url: string; readonly apiKey: string };
  readonly zitadel: { readonly url: string; readonly token: string };
  readonly appServices: {
    readonly url: string;
    readonly groupId: string;
    readonly appId: string;
    readonly publicApiKey: string;
    readonly privateApiKey: string;
  };
  readonly ids: { monocloud: string[]; zitadel: string[]; appServices: string[] };
  /** With SIM_TLS=1 the simulators serve HTTPS: the CA (PEM) their certificate chains to. */
  readonly ca?: string;
  /** With SIM_H2=1 too, they offer HTTP/2 by ALPN (and still serve HTTP/1.1). */
  readonly http2?: boolean;
}

/** Requests per simulator and route, and how many of them were not 2xx (404s included). */
export type Counts = Record<'monocloud' | 'zitadel' | 'appServices', Record<string, number>>;

const latencyMs = Number(process.env.SIM_LATENCY_MS ?? 5);
const perDirectory = Number(process.env.SIM_PER_DIRECTORY ?? 200);
// HTTPS like the real directories (BENCH_TLS=1): a CA made for this run.
const testCa = process.env.SIM_TLS === '1' ? makeTestCa() : null;
const set = await SimulatorSet.start({
  latencyMs,
  perDirectory,
  ...(testCa === null
    ? {}
    : { tls: { key: testCa.key, cert: testCa.cert, http2: process.env.SIM_H2 === '1' } }),
});
const named = { monocloud: set.monocloud, zitadel: set.zitadel, appServices: set.appServices } as const;

const counts: Counts = { monocloud: {}, zitadel: {}, appServices: {} };

// The simulators log every request with its headers; under load that grows by tens of thousands of
// entries a second, so the log is folded into counters often and emptied.
function fold(): void {
  for (const [key, simulator] of Object.entries(named) as [keyof Counts, Simulator][]) {
    const into = counts[key];
    for (const entry of simulator.log) {
      into[entry.route] = (into[entry.route] ?? 0) + 1;
      if (entry.status < 200 || entry.status >= 300) into.non2xx = (into.non2xx ?? 0) + 1;
      if (entry.status === 429) into.status429 = (into.status429 ?? 0) + 1;
    }
    simulator.log.length = 0;
  }
}
setInterval(fold, 250).unref();

const control = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/__counts') {
    fold();
    const snapshot = JSON.stringify(counts);
    for (const key of Object.keys(counts) as (keyof Counts)[]) counts[key] = {};
    res.writeHead(200, { 'content-type': 'application/json' }).end(snapshot);
    return;
  }
  // POST /__quota?sim=monocloud&perSecond=100 (0: off): the simulator enforces a quota per credential.
  const url = new URL(req.url ?? '/', 'http://control');
  if (req.method === 'POST' && url.pathname === '/__quota') {
    const simulator = named[url.searchParams.get('sim') as keyof typeof named];
    const perSecond = Number(url.searchParams.get('perSecond'));
    if (simulator === undefined || !(perSecond >= 0)) {
      res.writeHead(400).end();
      return;
    }
    simulator.quota = perSecond === 0 ? null : { perSecond };
    res.writeHead(204).end();
    return;
  }
  // POST /__signins?count=N: N MonoCloud users sign in now (changes for the feed's pollers to read).
  if (req.method === 'POST' && url.pathname === '/__signins') {
    const count = Number(url.searchParams.get('count'));
    if (!(count >= 1 && count <= 1_000)) {
      res.writeHead(400).end();
      return;
    }
    const ids = set.localIds().monocloud;
    for (let i = 0; i < count; i += 1) set.monocloud.access.signIn(ids[(signIns + i) % ids.length] ?? '');
    signIns += count;
    res.writeHead(204).end();
    return;
  }
  res.writeHead(404).end();
});
let signIns = 0;
await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));

const info: SimulatorsInfo = {
  control: `http://127.0.0.1:${(control.address() as AddressInfo).port}`,
  pid: process.pid,
  monocloud: { url: set.monocloud.url, apiKey: set.monocloud.apiKey },
  zitadel: { url: set.zitadel.url, token: set.zitadel.token },
  appServices: {
    url: set.appServices.url,
    groupId: set.appServices.groupId,
    appId: set.appServices.appId,
    publicApiKey: set.appServices.publicApiKey,
    privateApiKey: set.appServices.privateApiKey,
  },
  ids: set.localIds(),
  ...(testCa === null ? {} : { ca: testCa.ca, http2: process.env.SIM_H2 === '1' }),
};
console.log(JSON.stringify(info));

const stop = () => {
  control.close();
  void set.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
