/**
 * Subscriptions each principal holds open on this replica (`feed.subscriptionsPerPrincipal`). Kept
 * per process, across config reloads: a reload does not hand a caller a fresh allowance.
 */
export class SubscriptionSlots {
  private readonly open = new Map<string, number>();

  /** Takes one of `who`'s slots; false when all `limit` are held. */
  take(who: string, limit: number): boolean {
    const held = this.open.get(who) ?? 0;
    if (held >= limit) return false;
    this.open.set(who, held + 1);
    return true;
  }

  give(who: string): void {
    const left = (this.open.get(who) ?? 1) - 1;
    if (left <= 0) this.open.delete(who);
    else this.open.set(who, left);
  }
}
