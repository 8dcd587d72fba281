import { CallContext, callKey } from '../directory/call-context.js';
import type { CallOptions } from '../directory/port.js';

/** Whose call is waiting: the principal, and the GraphQL request within it. */
export interface Share {
  readonly principal: string;
  readonly request: object;
}

const SHARE = callKey<Share>('share');

/** Whose call it is, when its caller said. */
export function shareOf(options: CallOptions): Share | undefined {
  return options.context?.get(SHARE);
}

/** Calls made with the context returned wait their turn as `share`'s. */
export function withShare(context: CallContext | undefined, share: Share): CallContext {
  return (context ?? CallContext.EMPTY).with(SHARE, share);
}

const ANONYMOUS: Share = { principal: '', request: {} };

/**
 * Waiting calls, served round-robin across principals and, within a principal, across its requests:
 * one caller's hundreds of queued calls delay another caller's single call by at most a turn. Each
 * serve moves the served request to the back of its principal's line and the principal to the back of
 * the principals' (Maps keep insertion order, so both are O(1)).
 */
export class FairQueue<T> {
  private readonly principals = new Map<string, Map<object, T[]>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(item: T, share: Share = ANONYMOUS): void {
    let requests = this.principals.get(share.principal);
    if (requests === undefined) {
      requests = new Map();
      this.principals.set(share.principal, requests);
    }
    let items = requests.get(share.request);
    if (items === undefined) {
      items = [];
      requests.set(share.request, items);
    }
    items.push(item);
    this.count += 1;
  }

  shift(): T | undefined {
    for (const [principal, requests] of this.principals) {
      for (const [request, items] of requests) {
        const item = items.shift();
        requests.delete(request);
        if (items.length > 0) requests.set(request, items);
        this.principals.delete(principal);
        if (requests.size > 0) this.principals.set(principal, requests);
        if (item !== undefined) {
          this.count -= 1;
          return item;
        }
      }
    }
    return undefined;
  }

  /** Puts an item back at the head of its request's line (its turn was interrupted, not used). */
  pushFront(item: T, share: Share = ANONYMOUS): void {
    this.push(item, share);
    const items = this.principals.get(share.principal)?.get(share.request);
    if (items !== undefined && items.length > 1) items.unshift(items.pop() as T);
  }

  /** Takes out and returns every item `test` picks. */
  drain(test: (item: T) => boolean): T[] {
    const taken: T[] = [];
    for (const [principal, requests] of this.principals) {
      for (const [request, items] of requests) {
        const kept = items.filter((item) => {
          if (!test(item)) return true;
          taken.push(item);
          return false;
        });
        if (kept.length === 0) requests.delete(request);
        else requests.set(request, kept);
      }
      if (requests.size === 0) this.principals.delete(principal);
    }
    this.count -= taken.length;
    return taken;
  }

  /** Takes a waiting item out (its caller gave up). */
  remove(item: T, share: Share = ANONYMOUS): void {
    const requests = this.principals.get(share.principal);
    const items = requests?.get(share.request);
    const index = items?.indexOf(item) ?? -1;
    if (items === undefined || index < 0) return;
    items.splice(index, 1);
    this.count -= 1;
    if (items.length === 0) requests?.delete(share.request);
    if (requests?.size === 0) this.principals.delete(share.principal);
  }
}
