import { createWriteStream } from 'node:fs';

/**
 * One line per operation that read user data: who (the token's subject or the API key's name, never
 * the credential), what (operation name and hash), where (directories asked), how much (users returned)
 * and which classes of personal data the operation could read. Never a value.
 */
export interface AuditEntry {
  readonly log: 'audit';
  readonly time: string;
  readonly requestId: string | null;
  readonly principal: { readonly kind: string; readonly subject: string };
  readonly operation: { readonly name: string | null; readonly hash: string };
  readonly directories: readonly string[];
  readonly users: number;
  readonly scopeClasses: readonly string[];
}

export type AuditSink = (entry: AuditEntry) => void;

/** Standard output (one JSON line, marked `"log":"audit"`), or appended to a file. */
export function auditSink(
  target: { readonly sink: 'stdout' } | { readonly sink: 'file'; readonly path: string },
): AuditSink {
  if (target.sink === 'stdout') return (entry) => process.stdout.write(`${JSON.stringify(entry)}\n`);
  const file = createWriteStream(target.path, { flags: 'a', mode: 0o600 });
  return (entry) => file.write(`${JSON.stringify(entry)}\n`);
}
