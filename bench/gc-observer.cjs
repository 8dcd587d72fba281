// Preloaded into a bench process (NODE_OPTIONS="--require ./bench/gc-observer.cjs", GC_OBSERVER_DIR set):
// records every garbage-collection pause through perf_hooks and, at exit, writes a summary per process
// to GC_OBSERVER_DIR/<script>-<pid>.json — pauses by kind, their total, the longest, and the share of
// the process's life spent paused. Written for issue 30's tail-latency question: is a p99 made of GC?
const { PerformanceObserver, constants } = require('node:perf_hooks');
const { writeFileSync } = require('node:fs');
const { basename, join } = require('node:path');

const dir = process.env.GC_OBSERVER_DIR;
if (dir) {
  const KIND = {
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak-callbacks',
  };
  const started = performance.now();
  const pauses = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) pauses.push([KIND[entry.detail?.kind] ?? 'other', entry.duration]);
  });
  observer.observe({ entryTypes: ['gc'] });
  // A process with no SIGTERM handler of its own (the floor) would die without an 'exit' event.
  process.on('SIGTERM', () => {
    if (process.listenerCount('SIGTERM') === 1) process.exit(143);
  });
  process.on('exit', () => {
    const life = performance.now() - started;
    const byKind = {};
    for (const [kind, ms] of pauses) {
      byKind[kind] ??= { count: 0, totalMs: 0, maxMs: 0 };
      const k = byKind[kind];
      k.count += 1;
      k.totalMs += ms;
      k.maxMs = Math.max(k.maxMs, ms);
    }
    const sorted = pauses.map(([, ms]) => ms).sort((a, b) => a - b);
    const total = sorted.reduce((sum, ms) => sum + ms, 0);
    const summary = {
      script: process.argv[1] ?? '',
      lifeMs: Math.round(life),
      pauses: sorted.length,
      totalMs: Math.round(total * 10) / 10,
      shareOfLife: Math.round((total / life) * 10000) / 10000,
      p99PauseMs: Math.round((sorted[Math.floor(sorted.length * 0.99)] ?? 0) * 100) / 100,
      maxPauseMs: Math.round((sorted.at(-1) ?? 0) * 100) / 100,
      over10Ms: sorted.filter((ms) => ms > 10).length,
      byKind,
    };
    const name = `${basename(process.argv[1] ?? 'node').replace(/\W+/g, '-')}-${process.pid}.json`;
    try {
      writeFileSync(join(dir, name), `${JSON.stringify(summary, null, 2)}\n`);
    } catch {}
  });
}
