import type { LifecycleAction } from '../directory/lifecycle.js';

/** How one account came out of an action. */
export type AccountOutcome = 'PLANNED' | 'CHANGED' | 'UNCHANGED' | 'UNSUPPORTED' | 'FAILED' | 'SKIPPED';

/**
 * What the audit log keeps of one action request, dry runs and refusals included: the action, the
 * caller's reason, and per account its directory, global id, outcome, code and the writes made or
 * planned. Never a value read from a directory.
 */
export interface ActionAudit {
  readonly action: LifecycleAction;
  readonly reason: string;
  readonly dryRun: boolean;
  readonly operationId: string;
  readonly replayed: boolean;
  readonly accounts: readonly {
    readonly directory: string;
    readonly userId: string;
    readonly outcome: AccountOutcome;
    readonly code: string | null;
    readonly calls: readonly string[];
  }[];
  readonly userErrors: readonly string[];
}
