import type { CallContext } from './call-context.js';

/**
 * What a provider needs to make a call: the signal that ends it, and the budget each call sent takes
 * from. What the layers around the provider keep per call (deadline, fair share, trace, response memo,
 * cache bypass) rides in `context`, owned by those layers; a provider passes the options on as they are.
 */
export interface CallOptions {
  /** Aborts when the request's deadline passes or its client goes away. */
  readonly signal?: AbortSignal;
  /** The operation's upstream-call budget: each call sent takes one for its directory, or is refused. */
  readonly budget?: CallBudget;
  readonly context?: CallContext;
}

export interface CallBudget {
  take(directory: string): boolean;
}
