import { configJsonSchema } from './config-schema.js';

// docs/configuration.md, written from the config file's JSON Schema (npm run schema), so the reference
// can never disagree with what the config accepts: a row per setting with its type, default and the
// description its zod model carries.

type Node = Record<string, unknown>;

interface Row {
  readonly key: string;
  readonly type: string;
  readonly fallback: string;
  readonly description: string;
}

const PROVIDERS = ['monocloud', 'zitadel', 'app-services'] as const;

export function configReference(): string {
  const schema = configJsonSchema();
  const properties = (schema.properties ?? {}) as Record<string, Node>;
  const directory = properties.directories?.items as Node;
  const variants = (directory.oneOf ?? directory.anyOf ?? []) as Node[];
  const top: Row[] = [];
  for (const [key, node] of Object.entries(properties)) {
    if (key !== 'directories') rows(key, node, top);
  }
  const perProvider = variants.map((variant, index) => {
    const found: Row[] = [];
    for (const [key, node] of Object.entries((variant.properties ?? {}) as Record<string, Node>)) {
      if (key !== 'provider') rows(key, node, found);
    }
    return { provider: PROVIDERS[index] ?? `#${index}`, rows: found };
  });
  const shared =
    perProvider[0]?.rows.filter((row) => perProvider.every((p) => p.rows.some((r) => r.key === row.key))) ??
    [];
  const sharedKeys = new Set(shared.map((row) => row.key));
  return [
    '# Configuration reference',
    '',
    '<!-- Written by `npm run schema` from schema/usergraph.schema.json (src/config-schema.ts); do not edit. -->',
    '',
    '`usergraph.yaml` in the working directory, or `--config FILE`, or `USERGRAPH_CONFIG=FILE`; without any',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's own ${NAME} syntax, written out
    'of them usergraph runs demo mode. `${NAME}` anywhere in the file is replaced with the environment',
    'variable `NAME`. The file is validated in full at start (and on reload): every problem is printed at',
    'once with its path, values are never echoed (they may be secrets), and usergraph exits with code 2.',
    'Editors check it as you type with [`schema/usergraph.schema.json`](../schema/usergraph.schema.json)',
    '(the example configs name it on their first line); `npm start -- --check` also probes every',
    'directory and the token issuer with the credentials it holds.',
    '',
    '## Directories (`directories[]`), every provider',
    '',
    table(shared),
    ...perProvider.flatMap(({ provider, rows: found }) => [
      '',
      `## \`provider: ${provider}\` only`,
      '',
      table(found.filter((row) => !sharedKeys.has(row.key))),
    ]),
    '',
    '## Everything else (top level)',
    '',
    table(top),
    '',
    '## Environment',
    '',
    '| Variable | Default | Meaning |',
    '| --- | --- | --- |',
    '| `PORT` | `4000` | HTTP port; GraphQL and GraphiQL at `/graphql`, liveness at `/health`, readiness at `/readiness`. |',
    '| `HOST` | every interface; `127.0.0.1` in demo mode | The address to listen on (an IP address or host name). |',
    '| `USERGRAPH_CONFIG` | — | Config file path (`--config FILE` wins). |',
    '| `NODE_ENV` | — | `production` turns the production defaults on ([Authentication and access](authentication.md)). |',
    '| `LOG_LEVEL` | `info` | `debug`, `info`, `warn`, `error` or `silent` ([Logs](operating.md#logs)). |',
    '| `OTEL_*` | off | OpenTelemetry tracing ([Traces](operating.md#traces-opentelemetry)). |',
    '| `SHUTDOWN_GRACE_MS` | `10000` | After SIGTERM/SIGINT and `server.drainSeconds`, how long in-flight requests may take to finish. |',
    '| `HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY` | — | The forward proxy upstream calls go through, and the hosts they reach directly ([Deploying](deploying.md)). |',
    '| `NODE_EXTRA_CA_CERTS` | — | A PEM file of certificate authorities Node trusts beside its own, for every directory (`tls.ca` for one). |',
    '',
  ].join('\n');
}

/** One row per setting, nested objects flattened into dotted keys. */
function rows(key: string, node: Node, out: Row[]): void {
  const inner = objectOf(node);
  if (inner !== null && Object.keys(inner).length > 0 && !isMap(node)) {
    if (typeof node.description === 'string')
      out.push({ key, type: 'object', fallback: '', description: node.description });
    for (const [child, childNode] of Object.entries(inner)) rows(`${key}.${child}`, childNode, out);
    return;
  }
  out.push({
    key,
    type: typeOf(node),
    fallback: node.default === undefined ? '' : `\`${JSON.stringify(node.default)}\``,
    description: String(node.description ?? ''),
  });
}

/** The properties of an object setting (also through an optional's or a union's object arm). */
function objectOf(node: Node): Record<string, Node> | null {
  if (node.properties !== undefined) return node.properties as Record<string, Node>;
  for (const key of ['anyOf', 'oneOf'] as const) {
    const arms = node[key] as Node[] | undefined;
    const object = arms?.find((arm) => arm.properties !== undefined && arms.length === 1);
    if (object !== undefined) return object.properties as Record<string, Node>;
  }
  return null;
}

function isMap(node: Node): boolean {
  return (
    node.additionalProperties !== undefined &&
    node.additionalProperties !== false &&
    node.properties === undefined
  );
}

function typeOf(node: Node): string {
  if (Array.isArray(node.enum)) return node.enum.map((value) => JSON.stringify(value)).join(' or ');
  if (node.const !== undefined) return JSON.stringify(node.const);
  const arms = (node.anyOf ?? node.oneOf) as Node[] | undefined;
  if (arms !== undefined) {
    const types = [
      ...new Set(
        arms.map(typeOf).filter((type) => type !== 'string' || !arms.some((a) => a.pattern === undefined)),
      ),
    ];
    return [...new Set(arms.map(typeOf))].join(' or ') || types.join(' or ');
  }
  if (node.type === 'array') return `${typeOf((node.items ?? {}) as Node)}[]`;
  if (node.type === 'object' && node.additionalProperties !== undefined) return 'map';
  return typeof node.type === 'string' ? node.type : 'any';
}

function table(found: readonly Row[]): string {
  const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
  return [
    '| Setting | Type | Default | Meaning |',
    '| --- | --- | --- | --- |',
    ...found.map(
      (row) => `| \`${row.key}\` | ${cell(row.type)} | ${row.fallback} | ${cell(row.description)} |`,
    ),
  ].join('\n');
}
