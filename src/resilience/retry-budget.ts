/**
 * A token bucket for retries: every first attempt earns `ratio` of a retry, time earns
 * `minPerSecond`, and each retry spends one. In the long run retries stay within `ratio` of the
 * requests (plus the floor), so a failing provider sees at most ~20% extra load, not a multiple.
 * The bucket holds 10 s of the floor, so a quiet directory can still retry a short burst.
 */
export class RetryBudget {
  private readonly capacity: number;
  private balance: number;
  private updatedAt: number;

  constructor(
    private readonly ratio: number,
    private readonly minPerSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    this.capacity = Math.max(1, minPerSecond * 10);
    this.balance = this.capacity;
    this.updatedAt = now();
  }

  /** A first attempt went out. */
  deposit(): void {
    this.refill();
    this.balance = Math.min(this.capacity, this.balance + this.ratio);
  }

  /** True when a retry may go out (and spends it). */
  withdraw(): boolean {
    this.refill();
    if (this.balance < 1) return false;
    this.balance -= 1;
    return true;
  }

  private refill(): void {
    const at = this.now();
    const elapsed = Math.max(0, at - this.updatedAt);
    this.updatedAt = at;
    this.balance = Math.min(this.capacity, this.balance + (elapsed / 1000) * this.minPerSecond);
  }
}
