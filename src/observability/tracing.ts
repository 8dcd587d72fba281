import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  SimpleSpanProcessor,
  type SpanExporter,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

export const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type SamplerName = (typeof SAMPLERS)[number];

/** Tracing as the standard `OTEL_*` variables configure it (process-config.ts reads and checks them). */
export interface TracingSettings {
  readonly serviceName: string;
  /** `OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL`: protobuf (the specification's default) or JSON over HTTP. */
  readonly protocol: 'http/protobuf' | 'http/json';
  readonly sampler: SamplerName;
  /** For the ratio samplers: the share of traces kept, in [0, 1]. */
  readonly ratio: number;
  /** `OTEL_RESOURCE_ATTRIBUTES`, parsed. */
  readonly resource: Readonly<Record<string, string>>;
  /** `OTEL_BSP_*`: how spans are queued and sent (the SDK's defaults where unset). */
  readonly batch: {
    readonly scheduledDelayMillis?: number;
    readonly exportTimeoutMillis?: number;
    readonly maxQueueSize?: number;
    readonly maxExportBatchSize?: number;
  };
}

export interface Tracing {
  readonly tracer: Tracer;
  /** Exports what is buffered now. */
  flush(): Promise<void>;
  /** Exports what is still buffered, then stops. */
  shutdown(): Promise<void>;
}

/**
 * The OpenTelemetry SDK with an OTLP/HTTP exporter (protobuf by default: fewer bytes and less CPU to
 * send than JSON), which reads its endpoint, headers, timeout and compression from
 * `OTEL_EXPORTER_OTLP_*` itself. Spans are batched off the request path (the SDK's
 * BatchSpanProcessor: a bounded queue, dropped rather than blocking when the collector is slow).
 * `exporter` and `immediate` are for tests: the same wiring with another exporter, spans handed over
 * as they end.
 */
export function startTracing(
  settings: TracingSettings,
  overrides: { readonly exporter?: SpanExporter; readonly immediate?: boolean } = {},
): Tracing {
  const exporter =
    overrides.exporter ?? (settings.protocol === 'http/json' ? new JsonExporter() : new ProtobufExporter());
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      ...settings.resource,
      [ATTR_SERVICE_NAME]: settings.serviceName,
      [ATTR_SERVICE_VERSION]: VERSION,
    }),
    sampler: samplerFor(settings),
    spanProcessors: [
      overrides.immediate
        ? new SimpleSpanProcessor({ exporter })
        : new BatchSpanProcessor({ exporter, ...settings.batch }),
    ],
  });
  return {
    tracer: provider.getTracer('usergraph', VERSION),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

const VERSION = '0.1.0';

function samplerFor({ sampler, ratio }: TracingSettings): Sampler {
  switch (sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  }
}

/**
 * Reads the `OTEL_*` variables that decide whether usergraph traces and how it samples. Tracing is on
 * when `OTEL_TRACES_EXPORTER` is `otlp`, or unset with an OTLP endpoint given; off with `none`,
 * `OTEL_SDK_DISABLED=true`, or nothing set. Problems are named for the process config to report.
 */
export function tracingSettingsFrom(env: NodeJS.ProcessEnv, problems: string[]): TracingSettings | null {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return null;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() || undefined;
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined;
  if (exporter !== undefined && exporter !== 'otlp' && exporter !== 'none') {
    problems.push('OTEL_TRACES_EXPORTER: usergraph exports traces over OTLP/HTTP: must be otlp or none');
    return null;
  }
  if (exporter === 'none' || (exporter === undefined && endpoint === undefined)) return null;
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT'] as const) {
    const value = env[name];
    if (value && !isHttpUrl(value)) problems.push(`${name}: must be an http(s) URL`);
  }
  const protocol = (
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ||
    env.OTEL_EXPORTER_OTLP_PROTOCOL ||
    'http/protobuf'
  )
    .trim()
    .toLowerCase();
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    problems.push(
      'OTEL_EXPORTER_OTLP_PROTOCOL: usergraph sends OTLP over HTTP: must be http/protobuf or http/json',
    );
  }
  const sampler = (env.OTEL_TRACES_SAMPLER?.trim().toLowerCase() || 'parentbased_always_on') as SamplerName;
  if (!SAMPLERS.includes(sampler))
    problems.push(`OTEL_TRACES_SAMPLER: must be one of ${SAMPLERS.join(', ')}`);
  let ratio = 1;
  if (sampler.endsWith('traceidratio') && env.OTEL_TRACES_SAMPLER_ARG) {
    ratio = Number(env.OTEL_TRACES_SAMPLER_ARG);
    if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
      problems.push('OTEL_TRACES_SAMPLER_ARG: must be a number from 0 to 1');
      ratio = 1;
    }
  }
  const resource: Record<string, string> = {};
  for (const pair of (env.OTEL_RESOURCE_ATTRIBUTES ?? '').split(',')) {
    if (pair.trim() === '') continue;
    const at = pair.indexOf('=');
    if (at <= 0) {
      problems.push('OTEL_RESOURCE_ATTRIBUTES: must be key=value pairs separated by commas');
      break;
    }
    resource[decodeSafely(pair.slice(0, at).trim())] = decodeSafely(pair.slice(at + 1).trim());
  }
  const batch: Record<string, number> = {};
  for (const [name, option] of BATCH_VARIABLES) {
    const value = env[name];
    if (!value) continue;
    const number = Number(value);
    if (!Number.isInteger(number) || number < 1 || number > 10_000_000) {
      problems.push(`${name}: must be a whole number from 1 to 10000000`);
    } else batch[option] = number;
  }
  return {
    serviceName: env.OTEL_SERVICE_NAME?.trim() || 'usergraph',
    protocol: protocol === 'http/json' ? 'http/json' : 'http/protobuf',
    sampler,
    ratio,
    resource,
    batch,
  };
}

const BATCH_VARIABLES = [
  ['OTEL_BSP_SCHEDULE_DELAY', 'scheduledDelayMillis'],
  ['OTEL_BSP_EXPORT_TIMEOUT', 'exportTimeoutMillis'],
  ['OTEL_BSP_MAX_QUEUE_SIZE', 'maxQueueSize'],
  ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 'maxExportBatchSize'],
] as const;

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function decodeSafely(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
