/**
 * A value made the first time it is read. Cursors are signed (an HMAC each): a page of 50 whose
 * client asks only `nodes` or only `endCursor` must not sign 50 of them (BENCHMARKS.md, "Hand-tuned spots").
 */
export class Lazy<T> {
  private made = false;
  private result: T | undefined;

  constructor(private readonly make: () => T) {}

  get value(): T {
    if (!this.made) {
      this.result = this.make();
      this.made = true;
    }
    return this.result as T;
  }
}
