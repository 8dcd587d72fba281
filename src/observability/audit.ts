import { createWriteStream } from 'node:fs';
import type { Logger } from 'pino';
import type { ActionAudit } from '../actions/action-audit.js';

/**
 * One line per operation that read user data, and per mutation whatever became of it: who (the token's subject or the API key's name, never
 * the credential), what (operation name and hash), where (directories asked), how much (users returned)
 * and which classes of personal data the operation could read. Never a value.
 */
export interface AuditEntry {
  readonly requestId: string | null;
  readonly principal: { readonly kind: string; readonly subject: string };
  readonly operation: { readonly name: string | null; readonly hash: string };
  readonly directories: readonly string[];
  readonly users: number;
  readonly scopeClasses: readonly string[];
  /** For a mutation: what each action did (or planned), per account, and the caller's reason. */
  readonly actions?: readonly ActionAudit[];
  /** For a mutation refused as a whole (scope, step-up, GET, quota, limits): the codes and why. */
  readonly refused?: readonly string[];
}

export type AuditSink = (entry: AuditEntry) => void;

/**
 * In the process's log, marked `"log":"audit"` (whatever LOG_LEVEL says: an audit trail does not
 * thin out with the log level), or appended to a file of its own, one JSON line each.
 */
export function auditSink(
  target: { readonly sink: 'stdout' } | { readonly sink: 'file'; readonly path: string },
  log: Logger,
): AuditSink {
  if (target.sink === 'stdout') {
    const audit = log.child({ log: 'audit' }, { level: 'info' });
    return (entry) => audit.info(entry, 'audit');
  }
  const file = createWriteStream(target.path, { flags: 'a', mode: 0o600 });
  return (entry) =>
    file.write(`${JSON.stringify({ log: 'audit', time: new Date().toISOString(), ...entry })}\n`);
}
