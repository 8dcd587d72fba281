import { createHash } from 'node:crypto';
import { z } from 'zod';

// Operation manifests as the tools that write them shape them (pure: text in, entries or problems out):
// - GraphQL Code Generator's client preset (`persistedDocuments: true`): `{ "<hash>": "<document>" }`;
// - Apollo's persisted query list (`@apollo/generate-persisted-query-manifest`):
//   `{ "format": "apollo-persisted-query-manifest", "version": 1, "operations": [{ id, name, type, body }] }`.

export interface ManifestEntry {
  readonly id: string;
  readonly body: string;
}

/** A document id as sent: a hash, or a name-like id; `sha256:` prefixes (Hive's form) are read off. */
const ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const SHA256 = /^[0-9a-f]{64}$/;

const apollo = z.strictObject({
  format: z.literal('apollo-persisted-query-manifest'),
  version: z.literal(1),
  operations: z.array(
    z.object({
      id: z.string(),
      body: z.string().min(1),
      name: z.string().optional(),
      type: z.enum(['query', 'mutation', 'subscription']).optional(),
    }),
  ),
});
const clientPreset = z.record(z.string(), z.string().min(1));

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The id a request names, as the manifest keys it: `sha256:<hash>` and `<hash>` are the same document. */
export function normalizeId(id: string): string {
  return id.startsWith('sha256:') ? id.slice('sha256:'.length) : id;
}

export function parseManifest(
  text: string,
  source: string,
): { readonly entries: readonly ManifestEntry[]; readonly problems: readonly string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { entries: [], problems: [`${source}: not JSON`] };
  }
  const isApollo = (json as { format?: unknown } | null)?.format !== undefined;
  const parsed = isApollo ? apollo.safeParse(json) : clientPreset.safeParse(json);
  if (!parsed.success) {
    return {
      entries: [],
      problems: [
        `${source}: neither a GraphQL Code Generator persisted-documents file ({ "<hash>": "<document>" }) nor an Apollo persisted query manifest`,
      ],
    };
  }
  const raw: ManifestEntry[] = isApollo
    ? (parsed.data as z.output<typeof apollo>).operations.map((op) => ({ id: op.id, body: op.body }))
    : Object.entries(parsed.data as Record<string, string>).map(([id, body]) => ({ id, body }));
  const problems: string[] = [];
  const entries: ManifestEntry[] = [];
  for (const entry of raw) {
    const id = normalizeId(entry.id);
    const at = `${source}: document "${id.slice(0, 80)}"`;
    if (!ID.test(id)) problems.push(`${at}: the id must be 1–128 of letters, digits, _ . : -`);
    // A sha256-shaped id is a claim about the body: a client hashing the text finds it only if it holds.
    else if (SHA256.test(id) && sha256Hex(entry.body) !== id) {
      problems.push(`${at}: the id looks like a SHA-256 but is not the SHA-256 of its body`);
    } else entries.push({ id, body: entry.body });
  }
  return { entries, problems };
}
