import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopServer } from './child.js';
import { freePort } from './ports.js';

export const PROMETHEUS = process.env.PROMETHEUS_PATH ?? '/usr/bin/prometheus';

/** One sample of an instant query: its labels and value. */
export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/**
 * Debian's Prometheus on 127.0.0.1, scraping what `scrapeConfigs` (YAML) lists, with its TSDB in a
 * temporary directory; queried through its HTTP API as a dashboard or an alert would.
 */
export class Prometheus {
  private constructor(
    private readonly child: ChildProcess,
    private readonly directory: string,
    readonly url: string,
    private readonly output: () => string,
  ) {}

  static async start(scrapeConfigs: string): Promise<Prometheus> {
    const directory = mkdtempSync(join(tmpdir(), 'usergraph-prometheus-'));
    writeFileSync(
      join(directory, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\n  evaluation_interval: 1s\nscrape_configs:\n${scrapeConfigs}`,
    );
    // Prometheus cannot report a port it picked itself: take a free one and hand it over.
    const port = await freePort();
    const child = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(directory, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(directory, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let output = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const prometheus = new Prometheus(child, directory, `http://127.0.0.1:${port}`, () => output);
    await prometheus.until(async () => (await fetch(`${prometheus.url}/-/ready`)).ok, 20_000, 'ready');
    return prometheus;
  }

  /** An instant PromQL query's vector. */
  async query(promql: string): Promise<Sample[]> {
    const response = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    if (body.status !== 'success') throw new Error(`PromQL ${promql}: ${body.error}`);
    return body.data.result.map(({ metric, value }) => ({ labels: metric, value: Number(value[1]) }));
  }

  /** The scrape targets' health as Prometheus reports it. */
  async targets(): Promise<{ health: string; lastError: string; scrapeUrl: string }[]> {
    const body = (await (await fetch(`${this.url}/api/v1/targets`)).json()) as {
      data: { activeTargets: { health: string; lastError: string; scrapeUrl: string }[] };
    };
    return body.data.activeTargets;
  }

  /** Polls `check` until it holds (every 250 ms), or fails after `timeoutMs` saying what it waited for. */
  async until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
    const stop = Date.now() + timeoutMs;
    for (;;) {
      try {
        if (await check()) return;
      } catch {
        // not up yet
      }
      if (Date.now() > stop)
        throw new Error(`Prometheus: not ${what} within ${timeoutMs} ms\n${this.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  stop(): Promise<void> {
    return stopServer(this.child, this.directory);
  }
}
