import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { expect, it } from 'vitest';

it('`--subgraph` serves the same demo as an Apollo Federation subgraph', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--subgraph'], {
    env: { ...process.env, PORT: '0', USERGRAPH_CONFIG: '', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no address in time:\n${output}`)), 30_000);
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const found = /(http:\/\/localhost:\d+\/graphql)/.exec(output);
        if (found?.[1]) {
          clearTimeout(timer);
          resolve(found[1]);
        }
      });
    });
    expect(output).toContain('Apollo Federation 2 subgraph');
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ _service { sdl } }' }),
    });
    const body = (await response.json()) as { data: { _service: { sdl: string } } };
    expect(body.data._service.sdl).toContain('@key(fields: "id")');
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}, 45_000);
