import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The rooms of src/ and who may import whom (README, Layout; ARCHITECTURE.md): read from the sources
// themselves, so a shortcut across the layers fails here rather than in review.

const SRC = resolve(import.meta.dirname, '../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** Every file's relative imports (value and type), as paths relative to src/. */
const graph = new Map<string, string[]>();
for (const file of sources(SRC)) {
  const text = readFileSync(file, 'utf8');
  const targets = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((match) =>
    relative(SRC, resolve(dirname(file), (match[1] as string).replace(/\.js$/, '.ts'))),
  );
  graph.set(relative(SRC, file), targets);
}

const room = (path: string) => (path.includes('/') ? path.slice(0, path.indexOf('/')) : path);

describe('layout', () => {
  it('has no import cycle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (node: string, trail: string[]) => {
      if (state.get(node) === 'done') return;
      if (state.get(node) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(node)), node].join(' → '));
        return;
      }
      state.set(node, 'open');
      for (const next of graph.get(node) ?? []) visit(next, [...trail, node]);
      state.set(node, 'done');
    };
    for (const node of graph.keys()) visit(node, []);
    expect(cycles).toEqual([]);
  });

  it('keeps each room to the rooms below it', () => {
    // What each room may import besides itself, bottom to top; every room is listed (a new one must
    // say where it stands), and a room never imports one above it (docs/development.md, Layout).
    const allowed: Record<string, readonly string[]> = {
      // The domain: the unified model, the port every directory implements, ids, cursors, merging.
      directory: [],
      // Every public code, and the one table that turns a directory's failure into one.
      codes: ['directory'],
      // Where a call sits in a trace, carried in its CallContext (the domain knows nothing of spans).
      tracing: ['directory'],
      http: ['directory', 'codes', 'tracing'],
      resilience: ['directory', 'codes', 'http', 'tracing'],
      providers: ['directory', 'codes', 'http'],
      // Redis for replicas: a token source for the limiter, and the connection the cache may use.
      shared: ['directory', 'resilience'],
      cache: ['directory', 'shared'],
      // What usergraph remembers of its own writes: suspensions it made, idempotency keys.
      actions: ['directory', 'shared'],
      // The pushed change feed: one poller per directory per cluster, and the streams it appends to.
      feed: ['directory', 'resilience', 'shared'],
      // Webhooks: endpoints, their queues and dead letters, signing, the SSRF gate, the dispatcher.
      webhooks: ['directory', 'shared', 'feed'],
      cost: ['directory'],
      documents: ['directory', 'cost'],
      observability: ['directory', 'codes', 'resilience', 'actions'],
      auth: ['directory'],
      // The GraphQL layer's own parts: builder (and its scope plugins), context, loaders, errors.
      graphql: [
        'directory',
        'codes',
        'tracing',
        'http',
        'resilience',
        'cost',
        'observability',
        'auth',
        'actions',
        'feed',
        'webhooks',
      ],
      'use-cases': ['directory', 'codes', 'graphql', 'actions', 'cache', 'feed', 'webhooks'],
      schema: ['directory', 'cost', 'graphql', 'use-cases', 'auth', 'webhooks'],
      // One Yoga plugin per HTTP concern, in rooms by concern (hygiene, access, cost, observability,
      // execution).
      plugins: [
        'directory',
        'codes',
        'tracing',
        'resilience',
        'shared',
        'cache',
        'actions',
        'cost',
        'documents',
        'observability',
        'auth',
        'graphql',
      ],
      config: ['directory', 'resilience', 'shared', 'cache', 'cost', 'auth'],
      // The simulators describe how to reach them as config entries (demo mode, tests).
      simulators: ['directory', 'config'],
      // The composition: the app, the HTTP server, directories, generations, checks, the demo.
      server: [
        'directory',
        'codes',
        'tracing',
        'http',
        'resilience',
        'providers',
        'shared',
        'cache',
        'actions',
        'feed',
        'webhooks',
        'cost',
        'documents',
        'observability',
        'auth',
        'graphql',
        'use-cases',
        'schema',
        'plugins',
        'config',
        'simulators',
      ],
      'main.ts': ['http', 'observability', 'plugins', 'server', 'shared', 'actions', 'feed'],
    };
    const unlisted = [...new Set([...graph.keys()].map(room))].filter((name) => allowed[name] === undefined);
    expect(unlisted).toEqual([]);
    // Listed bottom to top: a room may only name rooms listed before it, so the rooms form no cycle.
    const order = Object.keys(allowed);
    const upward = order.flatMap((name, index) =>
      (allowed[name] ?? [])
        .filter((below) => !order.slice(0, index).includes(below))
        .map((up) => `${name} → ${up}`),
    );
    expect(upward).toEqual([]);
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      const from = room(file);
      const may = allowed[from];
      if (may === undefined) continue;
      for (const target of targets) {
        const to = room(target);
        const sameProvider = from === 'providers' && file.split('/')[1] === target.split('/')[1];
        if (to !== from || (from === 'providers' && !sameProvider && to === 'providers')) {
          if (!may.includes(to)) wrong.push(`${file} → ${target}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('keeps the domain (directory/) free of libraries: no observability, no transport', () => {
    const packages = new Set<string>();
    for (const file of graph.keys()) {
      if (!file.startsWith('directory/')) continue;
      const text = readFileSync(join(SRC, file), 'utf8');
      for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'([^.'][^']*)'/g))
        packages.add(match[1] as string);
    }
    expect([...packages].sort()).toEqual(['node:crypto', 'zod']);
  });

  it('builds directories in one place: only the composition root constructs guards and providers', () => {
    const builders = [...graph.keys()].filter((file) => {
      const text = readFileSync(join(SRC, file), 'utf8');
      return (
        /new DirectoryGuard\(|create(MonoCloud|Zitadel|AppServices)Provider\(/.test(text) &&
        !/^providers\//.test(file)
      );
    });
    expect(builders).toEqual(['server/directories.ts']);
  });

  it('keeps schema/ to GraphQL type files (and the index that builds the schema)', () => {
    const schemaFiles = [...graph.keys()].filter((file) => file.startsWith('schema/'));
    const typeless = schemaFiles.filter((file) => {
      const text = readFileSync(join(SRC, file), 'utf8');
      return (
        file !== 'schema/index.ts' &&
        !/builder\.(objectRef|interfaceRef|enumType|inputType|queryType|queryFields|objectField|interfaceField|addScalarType|asEntity)\b/.test(
          text,
        )
      );
    });
    expect(typeless).toEqual([]);
  });

  it('gives no two files the same name', () => {
    const byName = new Map<string, string[]>();
    for (const file of graph.keys()) {
      const name = file.slice(file.lastIndexOf('/') + 1);
      if (name === 'index.ts') continue;
      byName.set(name, [...(byName.get(name) ?? []), file]);
    }
    // Each provider's room repeats the same roles on purpose (client, wire, mapper, provider; and for
    // issue 16 access, access-wire, access-mapper, changes), and each simulator's its own simulator.
    const roles = new Set([
      'access.ts',
      'access-wire.ts',
      'access-mapper.ts',
      'changes.ts',
      'client.ts',
      'wire.ts',
      'mapper.ts',
      'provider.ts',
      'simulator.ts',
      'records.ts',
      'filter.ts',
      'lifecycle.ts',
      'writes.ts',
    ]);
    const shared = [...byName].filter(([name, files]) => files.length > 1 && !roles.has(name));
    expect(shared).toEqual([]);
  });
});
