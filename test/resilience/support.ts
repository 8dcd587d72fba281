import type { DirectoryConfig } from '../../src/config/config.js';
import { encodeUserId } from '../../src/directory/global-id.js';
import type { ResilienceConfig } from '../../src/resilience/options.js';
import { NodesByIdsDocument } from '../generated/graphql.js';
import { Stack, type StackOptions } from '../support/stack.js';

export type Resilience = Partial<Record<'acme' | 'corp' | 'mobile', ResilienceConfig>>;

/** A stack whose directories get these resilience settings (by directory name). */
export function startStack(resilience: Resilience = {}, options: StackOptions = {}): Promise<Stack> {
  return Stack.start({
    perDirectory: 20,
    ...options,
    configure: (configs) =>
      (options.configure ?? ((c: DirectoryConfig[]) => c))(configs).map((config) => {
        const settings = resilience[config.name as keyof Resilience];
        return settings ? { ...config, resilience: settings } : config;
      }),
  });
}

/** Global ids of the first `count` users of each named directory. */
export function idsOf(
  stack: Stack,
  directory: 'acme' | 'corp' | 'mobile',
  count: number,
  from = 0,
): string[] {
  const local = { acme: stack.ids.monocloud, corp: stack.ids.zitadel, mobile: stack.ids.appServices }[
    directory
  ];
  return local.slice(from, from + count).map((id) => encodeUserId(directory, id));
}

export async function nodes(stack: Stack, ids: string[]) {
  const started = Date.now();
  const response = await stack.execute(NodesByIdsDocument, { ids });
  return { ...response, elapsedMs: Date.now() - started };
}

export async function readiness(stack: Stack) {
  const response = await stack.app.fetch('http://usergraph.test/readiness');
  return { status: response.status, body: (await response.json()) as ReadinessBody };
}

interface ReadinessBody {
  ready: boolean;
  directories: { name: string; state: string; circuit: string; lastError: { code: string } | null }[];
}
