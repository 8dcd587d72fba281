import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type ManifestEntry, parseManifest } from './manifest.js';

/** Reads the manifests a config names (paths relative to the config file); every problem at once. */
export function loadManifests(
  paths: readonly string[],
  configFile: string,
): { readonly entries: readonly ManifestEntry[]; readonly problems: readonly string[] } {
  const entries: ManifestEntry[] = [];
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const path of paths) {
    const file = resolve(dirname(configFile), path);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      problems.push(
        `trustedDocuments.manifests: ${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
      continue;
    }
    const manifest = parseManifest(text, `trustedDocuments.manifests: ${path}`);
    problems.push(...manifest.problems);
    for (const entry of manifest.entries) {
      const other = seen.get(entry.id);
      if (other !== undefined && other !== entry.body) {
        problems.push(
          `trustedDocuments.manifests: ${path}: document ${entry.id} is listed with another body elsewhere`,
        );
        continue;
      }
      seen.set(entry.id, entry.body);
      entries.push(entry);
    }
  }
  return { entries, problems };
}
