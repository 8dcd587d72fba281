/**
 * What the layers around a provider keep per call (the deadline, the fair share, the trace, the
 * response memo, a cache bypass), each under a key of the module that owns it; a provider passes it on
 * untouched and reads none of it. Immutable: a layer that changes its value for the calls below it (a
 * batch's span, an attempt's) makes a new one, and the caller's stays as it was.
 */
export class CallContext {
  static readonly EMPTY = new CallContext(new Map());

  private constructor(private readonly values: ReadonlyMap<CallKey<unknown>, unknown>) {}

  get<T>(key: CallKey<T>): T | undefined {
    return this.values.get(key) as T | undefined;
  }

  with<T>(key: CallKey<T>, value: T): CallContext {
    return new CallContext(new Map(this.values).set(key, value));
  }

  /**
   * For work a call starts that other callers share (a token renewal): keeps what says where the work
   * sits (the trace), drops what belongs to this caller alone (its deadline, share, memo).
   */
  detached(): CallContext {
    const kept = [...this.values].filter(([key]) => key.followsSharedWork === true);
    return kept.length === 0 ? CallContext.EMPTY : new CallContext(new Map(kept));
  }
}

/** A key of CallContext; its owner exports it, or, better, the functions that read and set it. */
export interface CallKey<T> {
  readonly name: string;
  /** Kept by `detached()`. */
  readonly followsSharedWork?: boolean;
  /** Never set: carries the value's type. */
  readonly type?: T;
}

export function callKey<T>(name: string, followsSharedWork = false): CallKey<T> {
  return { name, followsSharedWork };
}
