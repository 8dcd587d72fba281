/**
 * The upstream calls one operation may still make, per directory: its estimate (estimate.ts), taken
 * one call at a time by the HttpClient. Calls answered from the request's own memo are not taken.
 */
export class UpstreamBudget {
  private readonly left: Map<string, number>;
  readonly used = new Map<string, number>();

  constructor(perDirectory: Readonly<Record<string, number>>) {
    this.left = new Map(Object.entries(perDirectory));
  }

  /** Takes one call for `directory`; false when its budget is spent (the call must not be sent). */
  take(directory: string): boolean {
    const left = this.left.get(directory) ?? 0;
    if (left <= 0) return false;
    this.left.set(directory, left - 1);
    this.used.set(directory, (this.used.get(directory) ?? 0) + 1);
    return true;
  }
}
