// Preload for a server under test (`node --import ./bench/alloc-profile.mjs …`, e.g. through
// COMPARE_NODE_ARGS_B): V8's sampling heap profiler with the objects the collector freed counted too,
// so it shows what a workload allocates rather than what it happens to hold at exit. Written to
// ALLOC_PROFILE_DIR (default bench/profiles/alloc) as <pid>.heapprofile when the process ends;
// `tsx bench/alloc-top.ts <file>` summarises it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.ALLOC_PROFILE_DIR ?? join(import.meta.dirname, 'profiles', 'alloc');
const session = new Session();
session.connect();
session.post('HeapProfiler.enable');
session.post('HeapProfiler.startSampling', {
  samplingInterval: 4096,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});

let written = false;
function write() {
  if (written) return;
  written = true;
  session.post('HeapProfiler.stopSampling', (error, result) => {
    if (error) return;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${process.pid}.heapprofile`), JSON.stringify(result.profile));
  });
}
process.on('exit', write);
for (const signal of ['SIGTERM', 'SIGINT']) process.prependListener(signal, write);
