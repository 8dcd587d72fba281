import type { DirectoryProvider } from '../directory/port.js';
import { timedCall } from './deadline.js';
import { withShare } from './fair-queue.js';
import type { DirectoryGuard } from './guard.js';

/** How long one probe may take. */
const PROBE_TIMEOUT_MS = 5_000;

/**
 * Brings a DOWN directory back without waiting for a caller: while the guard reports it DOWN (its
 * credentials were rejected, or its circuit is open), one cheap read (the first user of its list) goes
 * out per `intervalMs`, through the guard like any call, so it takes its turn and its rate token and
 * counts against the directory's quota. A success clears DOWN (the guard sees the 2xx; a half-open
 * circuit closes). A pod that gets no traffic therefore still recovers, and readiness never has to.
 */
export class RecoveryProbe {
  private timer: NodeJS.Timeout | null = null;
  private probing = false;

  constructor(
    private readonly provider: DirectoryProvider,
    private readonly guard: DirectoryGuard,
    private readonly intervalMs: number,
  ) {}

  /** Called when the guard has just seen the directory go DOWN: probing starts, once. */
  down(): void {
    if (this.timer !== null || this.intervalMs <= 0) return;
    this.timer = setInterval(() => void this.probe(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private async probe(): Promise<void> {
    if (this.guard.health().state !== 'DOWN') {
      this.stop();
      return;
    }
    if (this.probing) return;
    this.probing = true;
    try {
      await this.provider.listUsers({ limit: 1 }, timedCall(PROBE_TIMEOUT_MS, withShare(undefined, PROBE)));
    } catch {
      // Still down: the guard has noted it; the next interval tries again.
    } finally {
      this.probing = false;
    }
    if (this.guard.health().state !== 'DOWN') this.stop();
  }
}

/** The probe's place in the fair queue: a principal of its own. */
const PROBE = { principal: 'usergraph:probe', request: {} };
