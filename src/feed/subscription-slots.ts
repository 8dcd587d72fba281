/**
 * Subscriptions each principal holds open on this replica (`feed.subscriptionsPerPrincipal`). Kept
 * per process, across config reloads: a reload does not hand a caller a fresh allowance.
 */
export class SubscriptionSlots {
  private readonly open = new Map<string, number>();
  private total = 0;

  /** Subscriptions open now, all principals together. */
  get size(): number {
    return this.total;
  }

  /** Takes one of `who`'s slots; false when all `limit` are held. */
  take(who: string, limit: number): boolean {
    const held = this.open.get(who) ?? 0;
    if (held >= limit) return false;
    this.open.set(who, held + 1);
    this.total += 1;
    return true;
  }

  give(who: string): void {
    const held = this.open.get(who);
    if (held === undefined) return;
    this.total -= 1;
    const left = held - 1;
    if (left <= 0) this.open.delete(who);
    else this.open.set(who, left);
  }
}
