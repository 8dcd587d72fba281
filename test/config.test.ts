import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/config.js';
import { configPath, loadProcessConfig } from '../src/server/process-config.js';

const GOOD = `
auth:
  jwt:
    issuer: https://id.example.com/
    audience: usergraph
directories:
  - name: acme
    provider: monocloud
    baseUrl: https://acme.us.monocloud.com/
    apiKey: \${MONOCLOUD_API_KEY}
  - name: corp
    provider: zitadel
    baseUrl: https://corp.zitadel.cloud
    token: \${ZITADEL_TOKEN}
    chunkSize: 50
  - name: mobile
    provider: app-services
    baseUrl: https://services.cloud.mongodb.com
    groupId: \${ATLAS_GROUP_ID}
    appId: \${ATLAS_APP_ID}
    publicApiKey: \${ATLAS_PUBLIC_KEY}
    privateApiKey: \${ATLAS_PRIVATE_KEY}
`;
const ENV = {
  MONOCLOUD_API_KEY: 'mc-secret-1',
  ZITADEL_TOKEN: 'zt-secret-2',
  ATLAS_GROUP_ID: 'g1',
  ATLAS_APP_ID: 'a1',
  ATLAS_PUBLIC_KEY: 'pub-3',
  ATLAS_PRIVATE_KEY: 'priv-secret-4',
};

describe('config', () => {
  it('reads the documented format, interpolates ${VARS} and applies defaults', () => {
    const result = parseConfig(GOOD, 'usergraph.yaml', ENV);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.directories).toEqual([
      {
        name: 'acme',
        provider: 'monocloud',
        baseUrl: 'https://acme.us.monocloud.com',
        apiKey: 'mc-secret-1',
        emailScanBudget: 3,
        timeoutMs: 10_000,
        concurrency: 8,
        scanBudget: 10,
      },
      {
        name: 'corp',
        provider: 'zitadel',
        baseUrl: 'https://corp.zitadel.cloud',
        token: 'zt-secret-2',
        chunkSize: 50,
        timeoutMs: 10_000,
        concurrency: 8,
        scanBudget: 10,
      },
      {
        name: 'mobile',
        provider: 'app-services',
        baseUrl: 'https://services.cloud.mongodb.com',
        groupId: 'g1',
        appId: 'a1',
        publicApiKey: 'pub-3',
        privateApiKey: 'priv-secret-4',
        tokenLifetimeMs: 1_800_000,
        emailScanBudget: 40,
        timeoutMs: 10_000,
        concurrency: 8,
        scanBudget: 10,
      },
    ]);
  });

  it('reports every problem at once, each with its path, and never a value', () => {
    const bad = GOOD.replace('provider: zitadel', 'provider: zitadell')
      .replace('name: mobile', 'name: Mobile')
      .replace('chunkSize: 50', 'chunkSize: 0')
      .replace('baseUrl: https://acme.us.monocloud.com/', 'baseUrl: acme.example')
      .replace(
        '    privateApiKey: ${ATLAS_PRIVATE_KEY}\n',
        '    privateApiKey: ${ATLAS_PRIVATE_KEY}\n    extra: mc-secret-1\n',
      );
    const dir = mkdtempSync(join(tmpdir(), 'ug-'));
    writeFileSync(join(dir, 'usergraph.yaml'), bad);
    const result = loadProcessConfig([], { ...ENV, ZITADEL_TOKEN: undefined, PORT: '99999' }, dir);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual(
      expect.arrayContaining([
        'PORT: must be a whole number from 0 to 65535',
        'directories[1].token: environment variable ZITADEL_TOKEN is not set',
        'directories[1].provider: provider must be one of: monocloud, zitadel, app-services',
        expect.stringMatching(/^directories\[0\]\.baseUrl: must be an http\(s\) URL/),
        expect.stringMatching(/^directories\[2\]\.name: must be 1–63 lower-case/),
        expect.stringMatching(/^directories\[2\]: Unrecognized key: "extra"/),
      ]),
    );
    expect(result.problems.join('\n')).not.toMatch(/secret|pub-3/);
  });

  it('switches to subgraph mode with federation: true, and rejects anything but a boolean', () => {
    const on = parseConfig(`${GOOD}\nfederation: true\n`, 'u.yaml', ENV);
    expect(on.ok && on.config.federation).toBe(true);
    const off = parseConfig(GOOD, 'u.yaml', ENV);
    expect(off.ok && off.config.federation).toBe(false);
    const bad = parseConfig(`${GOOD}\nfederation: sometimes\n`, 'u.yaml', ENV);
    expect(bad.ok ? [] : bad.problems).toEqual(['federation: must be true or false']);
  });

  it('serves metrics on the main port by default, on a port of its own, or not at all', () => {
    const on = parseConfig(GOOD, 'u.yaml', ENV);
    expect(on.ok && on.config.metrics).toEqual({ enabled: true });
    const own = parseConfig(`${GOOD}\nmetrics: { port: 9464 }\n`, 'u.yaml', ENV);
    expect(own.ok && own.config.metrics).toEqual({ enabled: true, port: 9464 });
    const off = parseConfig(`${GOOD}\nmetrics: { enabled: false }\n`, 'u.yaml', ENV);
    expect(off.ok && off.config.metrics.enabled).toBe(false);
    const bad = parseConfig(
      `${GOOD}\nmetrics: { enabled: yes please, port: 70000, path: /m }\n`,
      'u.yaml',
      ENV,
    );
    expect(bad.ok ? [] : bad.problems).toEqual([
      'metrics.enabled: must be true or false',
      'metrics.port: Too big: expected number to be <=65535',
      'metrics: Unrecognized key: "path"',
    ]);
  });

  it('executes with graphql-jit unless jit: false, and rejects anything but a boolean', () => {
    const on = parseConfig(GOOD, 'u.yaml', ENV);
    expect(on.ok && on.config.jit).toBe(true);
    const off = parseConfig(`${GOOD}\njit: false\n`, 'u.yaml', ENV);
    expect(off.ok && off.config.jit).toBe(false);
    const bad = parseConfig(`${GOOD}\njit: maybe\n`, 'u.yaml', ENV);
    expect(bad.ok ? [] : bad.problems).toEqual(['jit: must be true or false']);
  });

  it('requires the App Services key pair together, or a token', () => {
    const half = GOOD.replace('    privateApiKey: ${ATLAS_PRIVATE_KEY}\n', '');
    const result = parseConfig(half, 'u.yaml', ENV);
    expect(result.ok ? [] : result.problems).toEqual([
      'directories[2].privateApiKey: publicApiKey and privateApiKey must be given together',
    ]);
  });

  it('points at YAML syntax errors by line without quoting the line', () => {
    const result = parseConfig('directories:\n  - name: acme\n   apiKey: "mc-secret-1', 'u.yaml', {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]).toMatch(/^u\.yaml:\d+:\d+: YAML syntax error/);
    expect(result.problems.join('\n')).not.toContain('mc-secret-1');
  });

  it('finds the file from --config, then USERGRAPH_CONFIG, then ./usergraph.yaml, else demo', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ug-'));
    expect(configPath(['--config', 'a.yaml'], { USERGRAPH_CONFIG: 'b.yaml' }, dir)).toBe(join(dir, 'a.yaml'));
    expect(configPath(['--config=c.yaml'], {}, dir)).toBe(join(dir, 'c.yaml'));
    expect(configPath([], { USERGRAPH_CONFIG: 'b.yaml' }, dir)).toBe(join(dir, 'b.yaml'));
    expect(configPath([], {}, dir)).toBeNull();
    writeFileSync(join(dir, 'usergraph.yaml'), GOOD);
    expect(configPath([], {}, dir)).toBe(join(dir, 'usergraph.yaml'));
  });

  it('reads the process settings into one object: file, PORT, HOST, SHUTDOWN_GRACE_MS, LOG_LEVEL, --subgraph', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ug-'));
    const file = join(dir, 'u.yaml');
    writeFileSync(file, GOOD);
    const env = { ...ENV, PORT: '8080', SHUTDOWN_GRACE_MS: '250', LOG_LEVEL: 'warn' };
    const loaded = loadProcessConfig(['--config', file, '--subgraph'], env, dir);
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.config).toMatchObject({
      port: 8080,
      host: undefined,
      shutdownGraceMs: 250,
      logLevel: 'warn',
      federation: true,
      source: { kind: 'file', path: file },
    });
    const demo = loadProcessConfig([], { HOST: '' }, dir);
    expect(demo.ok && demo.config).toMatchObject({ source: { kind: 'demo' }, port: 4000, host: '127.0.0.1' });
  });

  it('refuses to start without an auth section, and reads one that says mode: none', () => {
    const without = parseConfig(
      GOOD.replace(/auth:\n {2}jwt:\n {4}issuer: .*\n {4}audience: usergraph\n/, ''),
      'u.yaml',
      ENV,
    );
    expect(without.ok ? [] : without.problems).toEqual([
      'auth: is required: configure `jwt` and/or `apiKeys`, or say `mode: none` to serve without authentication',
    ]);
    const open = parseConfig(
      `${GOOD.replace(/auth:\n {2}jwt:\n {4}issuer: .*\n {4}audience: usergraph\n/, '')}\nauth: { mode: none }\n`,
      'u.yaml',
      ENV,
    );
    expect(open.ok && open.config.auth.mode).toBe('none');
    const empty = parseConfig(
      `${GOOD.replace(/auth:\n {2}jwt:\n {4}issuer: .*\n {4}audience: usergraph\n/, '')}\nauth: {}\n`,
      'u.yaml',
      ENV,
    );
    expect(empty.ok ? [] : empty.problems).toEqual([
      'auth: needs `jwt`, `introspection`, `apiKeys` or a mix (or `mode: none` to serve without authentication)',
    ]);
  });

  it('reports every bad process setting at once, with the file’s problems', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ug-'));
    const file = join(dir, 'u.yaml');
    writeFileSync(file, GOOD.replace('provider: zitadel', 'provider: nope'));
    const loaded = loadProcessConfig(
      ['--config', file],
      {
        ...ENV,
        PORT: '80a',
        SHUTDOWN_GRACE_MS: '-1',
        LOG_LEVEL: 'loud',
        HOST: 'bad host!',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url',
      },
      dir,
    );
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.problems).toEqual([
      'PORT: must be a whole number from 0 to 65535',
      'SHUTDOWN_GRACE_MS: must be a whole number from 0 to 600000',
      'LOG_LEVEL: must be one of debug, info, warn, error, silent',
      'OTEL_EXPORTER_OTLP_ENDPOINT: must be an http(s) URL',
      'HOST: must be an IP address or a host name',
      'directories[1].provider: provider must be one of: monocloud, zitadel, app-services',
    ]);
  });

  it('exits with code 2 and the list of problems when started with a bad file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ug-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, GOOD.replace('provider: zitadel', 'provider: nope'));
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', file], {
      env: { ...process.env, ...ENV },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('directories[1].provider: provider must be one of');
    expect(run.stdout + run.stderr).not.toMatch(/secret/);
  });
});
