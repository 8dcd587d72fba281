import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateApiKey } from '../../src/auth/api-keys.js';
import { Authenticator } from '../../src/auth/authenticator.js';
import { authSettings } from '../../src/auth/settings.js';
import type { DirectoryRegistry } from '../../src/directory/registry.js';
import { createApp } from '../../src/server/app.js';
import { type Demo, startDemo } from '../../src/server/demo.js';
import { buildDirectories } from '../../src/server/directories.js';

// What a newcomer does: open GraphiQL in demo mode, run the example query, see users from all three
// directories. Debian's Chromium, headless, no network beyond loopback.

let demo: Demo;
let registry: DirectoryRegistry;
let server: Server;
let browser: Browser;
let url: string;

beforeAll(async () => {
  demo = await startDemo();
  registry = buildDirectories(demo.directories);
  server = createServer(
    createApp({ logLevel: 'silent', directories: registry, exampleQuery: demo.exampleQuery }).http.listener,
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  await registry?.close();
  await demo?.close();
});

it('runs the example query in GraphiQL and shows users from every directory', async () => {
  const page = await browser.newPage();
  const failedRequests: string[] = [];
  const blocked: string[] = [];
  page.on('requestfailed', (request) => failedRequests.push(request.url()));
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) blocked.push(message.text());
  });
  const loaded = await page.goto(url);
  expect(loaded?.headers()['content-security-policy']).toContain("script-src 'self' 'sha256-");
  const run = page.locator('.graphiql-execute-button');
  await run.waitFor({ timeout: 30_000 });
  const answer = page.waitForResponse(
    // The run's answer, not GraphiQL's own introspection request (which may still be on its way).
    (response) =>
      response.url() === url &&
      response.request().method() === 'POST' &&
      (response.request().postData() ?? '').includes('DemoUsers'),
    { timeout: 30_000 },
  );
  await run.click();
  const body = (await (await answer).json()) as {
    errors?: unknown;
    data: { nodes: { __typename: string; directory: { name: string } }[] } & Record<string, unknown>;
  };
  expect(body.errors).toBeUndefined();
  expect(new Set(body.data.nodes.map((node) => node.directory.name))).toEqual(
    new Set(['acme', 'corp', 'mobile']),
  );
  expect(new Set(body.data.nodes.map((node) => node.__typename))).toEqual(
    new Set(['MonoCloudUser', 'ZitadelUser', 'AppServicesUser']),
  );
  // And the person sees it: the result pane shows the top of that answer.
  const result = page.locator('.result-window');
  // Monaco renders spaces as no-break spaces.
  const shown = async () => (await result.innerText()).replace(/\u00a0/g, ' ');
  // Its first lines as GraphiQL pretty-prints them (the pane renders only what is in view).
  const top = JSON.stringify(body, null, 2)
    .split('\n')
    .slice(0, 6)
    .map((line) => line.trim());
  for (const line of top) await expect.poll(shown, { timeout: 30_000 }).toContain(line);
  await page.screenshot({ path: process.env.GRAPHIQL_SCREENSHOT ?? '/tmp/usergraph-graphiql.png' });
  // Nothing fetched from outside loopback: GraphiQL's assets are served inline, and its CSP blocked none.
  expect(failedRequests).toEqual([]);
  expect(blocked).toEqual([]);
}, 60_000);

it('works with authentication: the token goes in the Headers tab', async () => {
  const key = generateApiKey();
  const guarded = createServer(
    createApp({
      logLevel: 'silent',
      directories: registry,
      exampleQuery: '{ directories { name } }',
      security: {
        authenticator: new Authenticator(
          authSettings.parse({ apiKeys: [{ name: 'browser', sha256: key.sha256, scopes: ['users:read'] }] }),
        ),
      },
    }).http.listener,
  );
  await new Promise<void>((resolve) => guarded.listen(0, '127.0.0.1', resolve));
  const guardedUrl = `http://127.0.0.1:${(guarded.address() as AddressInfo).port}/graphql`;
  try {
    const page = await browser.newPage();
    await page.goto(guardedUrl);
    const run = page.locator('.graphiql-execute-button');
    await run.waitFor({ timeout: 30_000 });
    const answer = () =>
      page.waitForResponse(
        (response) =>
          response.url() === guardedUrl &&
          response.request().method() === 'POST' &&
          (response.request().postData() ?? '').includes('directories'),
        {
          timeout: 30_000,
        },
      );
    // Without a token: 401.
    const refused = answer();
    await run.click();
    expect((await refused).status()).toBe(401);
    // With one, typed into the Headers editor.
    await page.getByText('Headers', { exact: true }).click();
    const editor = page.locator('.graphiql-editor-tool .graphiql-editor').last();
    await editor.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(`{"authorization": "Bearer ${key.key}"`);
    const accepted = answer();
    await run.click();
    const response = await accepted;
    expect(response.status()).toBe(200);
    expect(await response.json()).toEqual({
      data: { directories: [{ name: 'acme' }, { name: 'corp' }, { name: 'mobile' }] },
    });
  } finally {
    await new Promise((resolve) => guarded.close(resolve));
  }
}, 60_000);
