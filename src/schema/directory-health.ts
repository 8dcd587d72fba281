import type { DirectoryHealth } from '../directory/port.js';
import { builder, needs } from '../graphql/builder.js';
import { DirectoryType } from './directory.js';

const HealthStateEnum = builder.enumType('DirectoryHealthState', {
  description: 'How a directory is doing, judged from usergraph’s own recent calls to it.',
  values: {
    UP: { description: 'Answering normally.' },
    DEGRADED: {
      description:
        'Answering, but recent calls failed or were rate-limited, or the circuit is half-open (trying one probe).',
    },
    DOWN: {
      description:
        'Not usable now: the circuit is open (calls fail fast without reaching it) or it rejected usergraph’s credentials.',
    },
  } as const,
});

const CircuitStateEnum = builder.enumType('CircuitState', {
  description: 'The directory’s circuit breaker.',
  values: {
    CLOSED: { description: 'Calls go through.' },
    OPEN: { description: 'Too many recent calls failed: calls fail fast with DIRECTORY_UNAVAILABLE.' },
    HALF_OPEN: {
      description: 'The open period is over: the next call is a probe that closes or reopens it.',
    },
  } as const,
});

type LastError = NonNullable<DirectoryHealth['lastError']>;
type Latency = DirectoryHealth['latency'];

const LastErrorType = builder.objectRef<LastError>('DirectoryHealthError').implement({
  description: 'The latest error a caller got from a directory.',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'The error’s `extensions.code`, e.g. DIRECTORY_TIMEOUT.' }),
    at: t.field({ type: 'DateTime', description: 'When it happened.', resolve: (error) => error.at }),
  }),
});

const LatencyType = builder.objectRef<Latency>('DirectoryLatency').implement({
  description: 'Upstream call durations over the directory’s last 100 calls (retries counted separately).',
  fields: (t) => ({
    p50Ms: t.exposeFloat('p50Ms', { nullable: true, description: 'Median, in ms; null before any call.' }),
    p95Ms: t.exposeFloat('p95Ms', {
      nullable: true,
      description: '95th percentile, in ms; null before any call.',
    }),
    samples: t.exposeInt('samples', { description: 'Calls the figures are computed over.' }),
  }),
});

type Rate = NonNullable<DirectoryHealth['rate']>;

const RateType = builder.objectRef<Rate>('DirectoryRate').implement({
  description:
    'The rate usergraph sends requests to the directory at: fixed where configured, otherwise learnt from the directory (it rises while callers wait and backs off on a 429), never above the ceiling.',
  fields: (t) => ({
    current: t.exposeFloat('current', { description: 'Requests per second now.' }),
    floor: t.exposeFloat('floor', { description: 'The least it backs off to.' }),
    ceiling: t.exposeFloat('ceiling', {
      description:
        'The most it may reach: a documented quota (ZITADEL Cloud 50/s) or the configured ceiling.',
    }),
    adaptive: t.exposeBoolean('adaptive', { description: 'False for a configured fixed rate.' }),
    learntLimit: t.exposeFloat('learntLimit', {
      nullable: true,
      description: 'What the directory accepted in the second before its last 429; null before any.',
    }),
    recent429s: t.exposeInt('recent429s', { description: 'Upstream 429 answers in the last minute.' }),
  }),
});

const HealthType = builder.objectRef<DirectoryHealth>('DirectoryHealth').implement({
  description: 'A directory’s health, from usergraph’s own calls to it (no extra probing traffic).',
  fields: (t) => ({
    state: t.field({ type: HealthStateEnum, description: 'UP, DEGRADED or DOWN.', resolve: (h) => h.state }),
    circuit: t.field({
      type: CircuitStateEnum,
      description: 'The circuit breaker’s state.',
      resolve: (h) => h.circuit,
    }),
    lastError: t.field({
      type: LastErrorType,
      nullable: true,
      description: 'The latest error a caller got from this directory; null if none since start.',
      resolve: (h) => h.lastError,
    }),
    latency: t.field({ type: LatencyType, description: 'Recent call latency.', resolve: (h) => h.latency }),
    rate: t.field({
      type: RateType,
      nullable: true,
      description: 'The outbound rate; null for a directory without usergraph’s limiter.',
      resolve: (h) => h.rate ?? null,
    }),
  }),
});

builder.objectField(DirectoryType, 'health', (t) =>
  t.field({
    ...needs('directories:health'),
    type: HealthType,
    nullable: true,
    description:
      'The directory’s health (also at GET /readiness). Null only for a directory built without usergraph’s resilience layer.',
    resolve: (directory) => directory.health?.() ?? null,
  }),
);
