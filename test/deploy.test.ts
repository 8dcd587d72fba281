import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseConfig } from '../src/config/config.js';
import { HAPROXY } from './support/haproxy.js';

// deploy/ as far as this machine can check it without a container engine: every file parses, the
// configs in it are valid usergraph configs, HAProxy accepts its file, the image's build and start
// steps are the commands this test runs, and the image's production install holds every package the
// compiled code imports.

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)],
  );
const yamlDocuments = (path: string) => {
  const documents = parseAllDocuments(readFileSync(path, 'utf8'));
  for (const document of documents) expect(document.errors, path).toEqual([]);
  return documents.map((document) => document.toJS() as Record<string, unknown>);
};
const ENV = {
  USERGRAPH_CURSOR_SECRET: 'kq3V9t2u5mZ0pXw8rL4nY7sB1cF6hJ2dG9aE3vQ5',
  USERGRAPH_REDIS_URL: 'redis://redis:6379/0',
  ZITADEL_TOKEN: 'token',
};

describe('deploy/', () => {
  it('every YAML file parses', () => {
    const yamls = files('deploy').filter((path) => /\.ya?ml$/.test(path));
    expect(yamls.length).toBeGreaterThanOrEqual(5);
    for (const path of yamls) yamlDocuments(path);
  });

  it('Kubernetes: a Deployment with probes on /readiness and /health, non-root, Service, HPA, PDB, and a valid config', () => {
    const objects = yamlDocuments('deploy/kubernetes/usergraph.yaml');
    // No Secret in the file `kubectl apply` takes: it would overwrite the real one with placeholders.
    expect(objects.map((object) => object.kind)).toEqual([
      'Deployment',
      'Service',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'ConfigMap',
    ]);
    const deployment = JSON.stringify(objects[0]);
    expect(deployment).toContain('"readinessProbe":{"httpGet":{"path":"/readiness"');
    expect(deployment).toContain('"livenessProbe":{"httpGet":{"path":"/health"');
    expect(deployment).toContain('"runAsNonRoot":true');
    expect(deployment).toContain('"secretRef":{"name":"usergraph-credentials"}');
    const config = (objects[4]?.data as Record<string, string>)['usergraph.yaml'] ?? '';
    const parsed = parseConfig(config, 'configmap', ENV);
    expect(parsed.ok ? [] : parsed.problems).toEqual([]);
  });

  it('compose: three replicas, Redis, HAProxy with a file HAProxy accepts, and a valid example config', () => {
    const [compose] = yamlDocuments('deploy/compose/compose.yaml') as [
      { services: Record<string, { deploy?: { replicas?: number } }> },
    ];
    expect(Object.keys(compose.services).sort()).toEqual(['haproxy', 'redis', 'usergraph']);
    expect(compose.services.usergraph?.deploy?.replicas).toBe(3);
    expect(execFileSync(HAPROXY, ['-c', '-f', 'deploy/compose/haproxy.cfg'], { encoding: 'utf8' })).toContain(
      'Configuration file is valid',
    );
    const example = parseConfig(
      readFileSync('deploy/compose/usergraph.example.yaml', 'utf8'),
      'example',
      ENV,
    );
    expect(example.ok ? [] : example.problems).toEqual([]);
  });

  describe('the Dockerfile', () => {
    const lines = readFileSync('deploy/Dockerfile', 'utf8')
      .replace(/\\\n\s*/g, ' ')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'));
    const serve = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> })
      .scripts.serve as string;

    it('builds on Node 24, installs production dependencies only, runs as node, checks /health, starts as `npm run serve`', () => {
      expect(lines.filter((line) => line.startsWith('FROM')).every((line) => line.includes('node:24'))).toBe(
        true,
      );
      expect(lines).toContain('RUN npm ci --no-audit --no-fund');
      expect(lines).toContain('RUN npm run build');
      // The demo kit (simulated people, pretty logs, tsx) is optional: not in the image.
      expect(lines).toContain(
        'RUN npm ci --omit=dev --omit=optional --no-audit --no-fund && npm cache clean --force',
      );
      expect(lines).toContain('USER node');
      expect(lines.find((line) => line.startsWith('HEALTHCHECK'))).toContain('/health');
      const cmd = lines.find((line) => line.startsWith('CMD'));
      expect(JSON.parse(cmd?.slice(4) ?? '[]').join(' ')).toBe(serve);
    });

    it('the production install has every package the server imports; the demo kit is optional', () => {
      const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as {
        dependencies: Record<string, string>;
        optionalDependencies: Record<string, string>;
      };
      const packageOf = (name: string) =>
        name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : (name.split('/')[0] as string);
      const server = new Set<string>();
      const demo = new Set<string>();
      for (const path of files('src').filter((file) => file.endsWith('.ts'))) {
        const text = readFileSync(path, 'utf8');
        // The simulators and demo mode run only without a config (never in the image).
        const demoOnly = path.startsWith('src/simulators/') || path === 'src/demo.ts';
        for (const match of text.matchAll(/^import (?!type )[^;]*?from '([^.'][^']*)'/gm)) {
          const name = match[1] as string;
          if (!name.startsWith('node:')) (demoOnly ? demo : server).add(packageOf(name));
        }
        // A dynamic import is loaded only where it is reached: demo mode's pretty log.
        for (const match of text.matchAll(/import\('([^.'][^']*)'\)/g))
          demo.add(packageOf(match[1] as string));
      }
      expect(server.size).toBeGreaterThan(10);
      expect([...server].filter((name) => !(name in manifest.dependencies))).toEqual([]);
      expect(
        [...demo].filter(
          (name) => !(name in manifest.dependencies) && !(name in manifest.optionalDependencies),
        ),
      ).toEqual([]);
      expect(Object.keys(manifest.optionalDependencies).sort()).toEqual([
        '@faker-js/faker',
        'pino-pretty',
        'tsx',
      ]);
    });

    it('its build and start steps: `npm run build`, then the serve command answers /health in demo mode', async () => {
      const out = '.cache/deploy-test-dist';
      rmSync(out, { recursive: true, force: true });
      execFileSync(process.execPath, [
        'node_modules/typescript/bin/tsc',
        '-p',
        'tsconfig.build.json',
        '--outDir',
        out,
      ]);
      const [node, ...args] = serve.split(' ');
      expect(node).toBe('node');
      const child = spawn(
        process.execPath,
        args.map((arg) => arg.replace('dist/', `${out}/`)),
        {
          env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', USERGRAPH_CONFIG: '' },
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      try {
        let output = '';
        const port = await new Promise<string>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`not listening:\n${output}`)), 30_000);
          child.stdout?.on('data', (chunk: Buffer) => {
            output += chunk.toString();
            const found = /localhost:(\d+)\/graphql/.exec(output);
            if (found?.[1]) {
              clearTimeout(timer);
              resolve(found[1]);
            }
          });
        });
        expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
      } finally {
        child.kill('SIGTERM');
        await once(child, 'exit');
        rmSync(out, { recursive: true, force: true });
      }
    }, 90_000);
  });
});
