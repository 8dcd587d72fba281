// The only file with side effects: read config (or start the demo directories), build the app, listen,
// and shut down cleanly on SIGTERM/SIGINT.
import { createServer } from 'node:http';
import { createApp } from './app.js';
import { configPath, type DirectoryConfig, loadConfigFile, parsePort } from './config.js';
import { createProvider } from './directory/create-provider.js';
import { DirectoryRegistry } from './directory/registry.js';
import { closeGracefully, parseShutdownGrace } from './shutdown.js';

async function main(): Promise<void> {
  const path = configPath(process.argv.slice(2), process.env, process.cwd());
  let directories: readonly DirectoryConfig[];
  let port: number;
  let federation = process.argv.includes('--subgraph');
  let exampleQuery: string | undefined;
  let stopDemo: (() => Promise<void>) | undefined;
  let requestTimeoutMs: number | undefined;
  let jit = true;
  const graceMs = parseShutdownGrace(process.env);
  if (typeof graceMs === 'string') {
    console.error(`usergraph: ${graceMs}`);
    process.exit(2);
  }

  if (path !== null) {
    const result = loadConfigFile(path, process.env);
    if (!result.ok) {
      console.error(`usergraph: ${path} has ${result.problems.length} problem(s):`);
      for (const problem of result.problems) console.error(`  - ${problem}`);
      process.exit(2);
    }
    ({ directories, port, requestTimeoutMs, jit } = result.config);
    federation ||= result.config.federation;
  } else {
    const parsedPort = parsePort(process.env);
    if (typeof parsedPort === 'string') {
      console.error(`usergraph: ${parsedPort}`);
      process.exit(2);
    }
    port = parsedPort;
    const { startDemo } = await import('./demo.js');
    const demo = await startDemo();
    ({ directories, exampleQuery } = demo);
    stopDemo = demo.close;
  }

  const registry = new DirectoryRegistry(directories.map(createProvider));
  const app = createApp({
    directories: registry,
    exampleQuery,
    federation,
    requestTimeoutMs,
    jit,
  });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(port, resolve));
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;

  console.log(
    path === null
      ? `usergraph demo: ${directories.length} simulated directories (${directories.map((d) => `${d.name}: ${d.provider}`).join(', ')})`
      : `usergraph: ${directories.length} directories from ${path}`,
  );
  console.log(
    `GraphiQL and GraphQL endpoint${federation ? ' (Apollo Federation 2 subgraph)' : ''}: http://localhost:${actualPort}/graphql`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`usergraph: ${signal} received, finishing in-flight requests (grace ${graceMs} ms)`);
    if (!(await closeGracefully(server, graceMs)))
      console.log('usergraph: grace period over, closed the rest');
    await registry.close();
    await stopDemo?.();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error('usergraph: failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
