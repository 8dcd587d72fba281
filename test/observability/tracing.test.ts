import { randomBytes } from 'node:crypto';
import { print } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encodeUserId } from '../../src/directory/global-id.js';
import { createLog } from '../../src/observability/logger.js';
import { startTracing, type Tracing, tracingSettingsFrom } from '../../src/observability/tracing.js';
import { createApp } from '../../src/server/app.js';
import { CardNamesDocument } from '../generated/graphql.js';
import { LogLines } from '../support/log-lines.js';
import { OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { Stack } from '../support/stack.js';

// Tracing as production wires it: settings from OTEL_* variables, the SDK's batch processor and its
// OTLP/HTTP exporter, sending to a receiver on 127.0.0.1 that parses what a collector would get.

const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;

let receiver: OtlpReceiver;
let tracing: Tracing;
let stack: Stack;
const log = new LogLines();

beforeAll(async () => {
  receiver = await OtlpReceiver.start();
  // The exporter reads its endpoint from the environment itself, as in production.
  process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = receiver.url;
  const problems: string[] = [];
  const settings = tracingSettingsFrom(
    {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'usergraph-under-test',
    },
    problems,
  );
  expect(problems).toEqual([]);
  if (settings === null) throw new Error('tracing should be on');
  tracing = startTracing(settings);
  stack = await Stack.start({
    perDirectory: 20,
    tracer: tracing.tracer,
    log: createLog({ level: 'info', destination: log }),
  });
});
afterAll(async () => {
  await stack.close();
  await tracing.shutdown();
  await receiver.close();
  delete process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
});
beforeEach(() => {
  stack.sims.resetAll();
  receiver.clear();
  log.clear();
});

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const ids = (directory: 'acme' | 'corp' | 'mobile', count = 20) =>
  ({ acme: stack.ids.monocloud, corp: stack.ids.zitadel, mobile: stack.ids.appServices })[directory]
    .slice(0, count)
    .map((id) => encodeUserId(directory, id));

/** Sends CardNames in a caller's trace and returns that trace's spans once exported. */
async function traced(userIds: string[]) {
  const traceId = hex(16);
  const parentId = hex(8);
  const response = await stack.execute(
    CardNamesDocument,
    { ids: userIds },
    { traceparent: `00-${traceId}-${parentId}-01` },
  );
  await tracing.flush();
  const spans = receiver.spans.filter((span) => span.traceId === traceId);
  const [root, ...otherRoots] = spans.filter((span) => span.parentSpanId === parentId);
  if (root === undefined) throw new Error('no span under the caller’s');
  expect(otherRoots).toEqual([]);
  const children = (parent: ReceivedSpan) => spans.filter((span) => span.parentSpanId === parent.spanId);
  return { response, spans, root, children, traceId };
}

const byDirectory = (spans: readonly ReceivedSpan[], directory: string) =>
  spans.filter((span) => span.attributes['usergraph.directory'] === directory);

describe('a 60-user query with a traceparent', () => {
  it('one root in the caller’s trace, one batch span per directory, 20 + 1 + 20 upstream spans plus login', async () => {
    const { response, spans, root, children, traceId } = await traced([
      ...ids('acme'),
      ...ids('corp'),
      ...ids('mobile'),
    ]);
    expect(response.body.errors).toBeUndefined();
    // Nothing outside the caller's trace, and every span in it is usergraph's.
    expect(receiver.spans.every((span) => span.traceId === traceId)).toBe(true);
    expect(root).toMatchObject({
      name: 'query CardNames',
      kind: SERVER,
      service: 'usergraph-under-test',
      attributes: {
        'graphql.operation.type': 'query',
        'graphql.operation.name': 'CardNames',
        'http.response.status_code': 200,
        'usergraph.request_id': response.headers.get('x-request-id'),
      },
    });

    const batches = children(root);
    expect(batches.map((span) => span.name).sort()).toEqual([
      'user batch: acme',
      'user batch: corp',
      'user batch: mobile',
    ]);
    for (const batch of batches) expect(batch.attributes['usergraph.batch.keys']).toBe(20);

    const attempts = spans.filter((span) => span.kind === CLIENT);
    const routes = (directory: string) => {
      const count: Record<string, number> = {};
      for (const span of byDirectory(attempts, directory)) count[span.name] = (count[span.name] ?? 0) + 1;
      return count;
    };
    expect(routes('acme')).toEqual({ 'GET /api/users/{id}': 20 });
    expect(routes('corp')).toEqual({ 'POST /v2/users': 1 });
    expect(routes('mobile')).toEqual({
      'GET /groups/{groupId}/apps/{appId}/users/{userId}': 20,
      'POST /auth/providers/mongodb-cloud/login': 1,
    });
    // Each attempt under its directory's batch, with what an operator needs and nothing personal.
    for (const batch of batches) {
      const directory = batch.attributes['usergraph.directory'] as string;
      expect(children(batch)).toHaveLength(byDirectory(attempts, directory).length);
    }
    for (const attempt of attempts) {
      expect(attempt.attributes).toMatchObject({
        'http.response.status_code': 200,
        'usergraph.attempt': 1,
        'usergraph.circuit_state': 'CLOSED',
      });
      // A first attempt carries no retry attributes.
      expect(attempt.attributes['http.request.resend_count']).toBeUndefined();
      expect(attempt.attributes['usergraph.deadline_left_ms']).toBeGreaterThan(0);
      expect(attempt.status.code ?? 0).not.toBe(ERROR);
    }

    // The simulators got a traceparent naming the very attempt span that sent each request.
    const sent = stack.sims.all.flatMap((sim) => sim.log.map((entry) => entry.headers.traceparent));
    expect(sent).toHaveLength(42); // 20 + 1 + 20, and the login
    expect(new Set(sent.map((header) => String(header).split('-')[2]))).toEqual(
      new Set(attempts.map((span) => span.spanId)),
    );
    expect(sent.every((header) => String(header).startsWith(`00-${traceId}-`))).toBe(true);

    // The answer held 60 users' emails; the exported data holds none, nor any id or name.
    expect(JSON.stringify(response.body)).toContain('@');
    const exported = receiver.bodies.join('\n');
    expect(exported).not.toContain('@');
    expect(exported).not.toContain(stack.ids.monocloud[0]);
    expect(exported).not.toContain('John Doe');

    // The access line names the same trace.
    expect(log.lines.find((line) => line.log === 'access')?.traceId).toBe(traceId);
  });

  it('a retried call is two attempt spans: the failure with its status, then the retry numbered 2', async () => {
    stack.sims.zitadel.inject({ route: 'listUsers', fault: { type: 'status', status: 503 }, times: 1 });
    const { response, spans } = await traced(ids('corp', 5));
    expect(response.body.errors).toBeUndefined();
    const attempts = spans
      .filter((span) => span.kind === CLIENT)
      .sort((a, b) => Number(a.attributes['usergraph.attempt']) - Number(b.attributes['usergraph.attempt']));
    expect(attempts).toHaveLength(2);
    const [failed, retried] = attempts;
    expect(failed).toMatchObject({
      name: 'POST /v2/users',
      status: { code: ERROR, message: 'unavailable' },
      attributes: {
        'http.response.status_code': 503,
        'usergraph.attempt': 1,
        'error.type': 'unavailable',
      },
    });
    expect(retried).toMatchObject({
      attributes: {
        'http.response.status_code': 200,
        'usergraph.attempt': 2,
        'http.request.resend_count': 1,
      },
    });
    expect(retried?.attributes['usergraph.retry_wait_ms']).toEqual(expect.any(Number));
    expect(stack.sims.zitadel.count('listUsers')).toBe(2);
  });

  it('a directory that rejects its credentials: the batch span is an error, each attempt says 401', async () => {
    stack.sims.monocloud.inject({ route: 'getUser', fault: { type: 'status', status: 401 } });
    const { spans, root, children } = await traced(ids('acme', 10));
    const [batch] = children(root);
    expect(batch).toMatchObject({
      status: { code: ERROR, message: 'unauthorized' },
      attributes: { 'usergraph.batch.failed_keys': 10 },
    });
    const attempts = spans.filter((span) => span.kind === CLIENT);
    // One span per request the directory received, no more, no fewer.
    expect(attempts).toHaveLength(stack.sims.monocloud.count());
    for (const attempt of attempts)
      expect(attempt.attributes).toMatchObject({
        'http.response.status_code': 401,
        'error.type': 'unauthorized',
      });
    expect(root.attributes['usergraph.error_codes']).toEqual(['DIRECTORY_UNAUTHORIZED']);
  });
});

it('sends protobuf by default (the specification’s default protocol), with no personal data in it', async () => {
  const settings = tracingSettingsFrom({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url }, []);
  expect(settings?.protocol).toBe('http/protobuf');
  if (settings === null) throw new Error('tracing should be on');
  const protobuf = startTracing(settings);
  const app = createApp({ directories: stack.registry, tracer: protobuf.tracer, logLevel: 'silent' });
  const response = await app.fetch('http://usergraph.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: print(CardNamesDocument), variables: { ids: ids('acme', 3) } }),
  });
  const answer = await response.text();
  // Binary protobuf may hold an 0x40 byte anywhere: look for the answer's actual addresses and ids.
  const emails = [...answer.matchAll(/[\w.+-]+@[\w.-]+/g)].map((match) => match[0]);
  expect(emails.length).toBeGreaterThan(0);
  await protobuf.shutdown();
  expect(receiver.protobuf).toHaveLength(1);
  const body = receiver.protobuf[0]?.toString('utf8') ?? '';
  expect(body).toContain('GET /api/users/{id}');
  expect(body).toContain('user batch: acme');
  for (const secret of [...emails, ...stack.ids.monocloud.slice(0, 3)]) expect(body).not.toContain(secret);
});

it('without a traceparent a request starts a trace of its own', async () => {
  await stack.execute(CardNamesDocument, { ids: ids('corp', 1) });
  await tracing.flush();
  const roots = receiver.spans.filter((span) => span.parentSpanId === '');
  expect(roots).toHaveLength(1);
  expect(receiver.spans.every((span) => span.traceId === roots[0]?.traceId)).toBe(true);
});

describe('settings from OTEL_* variables', () => {
  const read = (env: NodeJS.ProcessEnv) => {
    const problems: string[] = [];
    return { settings: tracingSettingsFrom(env, problems), problems };
  };

  it('is off unless an OTLP exporter or endpoint is configured, or when disabled', () => {
    expect(read({}).settings).toBeNull();
    expect(
      read({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }).settings,
    ).toBeNull();
    expect(read({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' }).settings).toBeNull();
    expect(read({ OTEL_TRACES_EXPORTER: 'otlp' }).settings).not.toBeNull();
  });

  it('reads sampler, ratio, service name, resource attributes and batch sizes', () => {
    const { settings, problems } = read({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.internal:4318',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_SERVICE_NAME: 'directory-gateway',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,team=identity%20platform',
      OTEL_BSP_MAX_QUEUE_SIZE: '4096',
    });
    expect(problems).toEqual([]);
    expect(settings).toEqual({
      serviceName: 'directory-gateway',
      protocol: 'http/protobuf',
      sampler: 'parentbased_traceidratio',
      ratio: 0.25,
      resource: { 'deployment.environment': 'prod', team: 'identity platform' },
      batch: { maxQueueSize: 4096 },
    });
  });

  it('names every bad value', () => {
    expect(
      read({
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_TRACES_SAMPLER: 'sometimes',
        OTEL_RESOURCE_ATTRIBUTES: 'novalue',
        OTEL_BSP_SCHEDULE_DELAY: '-5',
      }).problems,
    ).toEqual([
      'OTEL_EXPORTER_OTLP_ENDPOINT: must be an http(s) URL',
      'OTEL_EXPORTER_OTLP_PROTOCOL: usergraph sends OTLP over HTTP: must be http/protobuf or http/json',
      'OTEL_TRACES_SAMPLER: must be one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio',
      'OTEL_RESOURCE_ATTRIBUTES: must be key=value pairs separated by commas',
      'OTEL_BSP_SCHEDULE_DELAY: must be a whole number from 1 to 10000000',
    ]);
    expect(read({ OTEL_TRACES_EXPORTER: 'zipkin' }).problems).toEqual([
      'OTEL_TRACES_EXPORTER: usergraph exports traces over OTLP/HTTP: must be otlp or none',
    ]);
    expect(
      read({
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_TRACES_SAMPLER: 'traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '2',
      }).problems,
    ).toEqual(['OTEL_TRACES_SAMPLER_ARG: must be a number from 0 to 1']);
  });
});
