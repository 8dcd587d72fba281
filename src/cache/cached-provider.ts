import { CallContext, callKey } from '../directory/call-context.js';
import type { Identity, Passkey, User } from '../directory/model.js';
import type { CallOptions, DirectoryProvider, KeyedResult, Page, PageRequest } from '../directory/port.js';
import type { CacheSettings } from './cache-settings.js';
import type { CacheEntry, CacheStore } from './store.js';

const BYPASS = callKey<boolean>('cache bypass');

/** Calls made with the context returned read their directory, past the cache (and refresh it). */
export function withCacheBypass(context: CallContext | undefined): CallContext {
  return (context ?? CallContext.EMPTY).with(BYPASS, true);
}

/** The facts kept per user, each fetched by its own batch call. */
type Fact = 'user' | 'passkeys' | 'identities';
const FACTS: readonly Fact[] = ['user', 'passkeys', 'identities'];

/** How one lookup went, for the metrics. */
export type CacheResult = 'hit' | 'stale' | 'miss';

export interface CacheOptions {
  readonly settings: CacheSettings;
  readonly store: CacheStore;
  /** The provider's listings return users as complete as a read by id, so they may fill the cache. */
  readonly primeFromLists: boolean;
  /** Told how each key was served (metrics). */
  readonly onLookup?: (fact: Fact, result: CacheResult, count: number) => void;
  readonly now?: () => number;
}

/**
 * A directory's users across requests: reads by id (users, and ZITADEL's passkeys and links) are
 * answered from the cache while fresh (`ttlSeconds`), served stale for `staleSeconds` more while one
 * background read refreshes them, and asked of the directory otherwise. A 404 is remembered for
 * `notFoundSeconds`; errors never are. Keys hold the directory, the fact and the provider's id, never the
 * caller: scopes and directory grants are applied per request above this, to every answer alike.
 * A call whose context says `withCacheBypass` (a caller with `cache:bypass`) reads the directory and
 * refreshes the cache.
 * Every user returned carries `fetchedAt`: when usergraph read it from the directory.
 */
export function cached(provider: DirectoryProvider, options: CacheOptions): DirectoryProvider {
  const { settings, store, onLookup } = options;
  const now = options.now ?? Date.now;
  const ttlMs = settings.ttlSeconds * 1000;
  const staleMs = settings.staleSeconds * 1000;
  const notFoundMs = settings.notFoundSeconds * 1000;
  /** Keys being refreshed in the background: one refresh per key at a time. */
  const refreshing = new Set<string>();

  const keyOf = (fact: Fact, id: string) => `${provider.name}\u0000${fact}\u0000${id}`;

  const keep = (fact: Fact, id: string, value: unknown, fetchedAt: number) => {
    if (value === null) {
      if (notFoundMs > 0) store.set(keyOf(fact, id), { value: null, fetchedAt }, notFoundMs);
      return;
    }
    store.set(keyOf(fact, id), { value, fetchedAt }, ttlMs + staleMs);
  };

  /** A value as callers get it: users stamped with when they were read. */
  const served = (fact: Fact, value: unknown, fetchedAt: number): unknown =>
    fact === 'user' && value !== null ? { ...(value as User), fetchedAt } : value;

  function through<T>(
    fact: Fact,
    load: (ids: readonly string[], options?: CallOptions) => Promise<readonly KeyedResult<T>[]>,
  ) {
    const fetch = async (ids: readonly string[], callOptions?: CallOptions) => {
      const fetchedAt = now();
      const results = await load(ids, callOptions);
      return results.map((result, index) => {
        if (result instanceof Error) return result;
        keep(fact, ids[index] as string, result, fetchedAt);
        return served(fact, result, fetchedAt) as KeyedResult<T>;
      });
    };

    const refresh = (ids: readonly string[]) => {
      const due = ids.filter((id) => !refreshing.has(keyOf(fact, id)));
      if (due.length === 0) return;
      for (const id of due) refreshing.add(keyOf(fact, id));
      // Nobody waits for it: no caller's deadline or budget; the guard's own bounds apply.
      fetch(due)
        .catch(() => undefined)
        .finally(() => {
          for (const id of due) refreshing.delete(keyOf(fact, id));
        });
    };

    return async (ids: readonly string[], callOptions?: CallOptions): Promise<readonly KeyedResult<T>[]> => {
      if (callOptions?.context?.get(BYPASS) === true) return fetch(ids, callOptions);
      const entries = await store.getMany(ids.map((id) => keyOf(fact, id)));
      const at = now();
      const results: (KeyedResult<T> | undefined)[] = new Array(ids.length);
      const missing: string[] = [];
      const missingAt: number[] = [];
      const stale: string[] = [];
      entries.forEach((entry: CacheEntry | undefined, index) => {
        const id = ids[index] as string;
        const age = entry === undefined ? Number.POSITIVE_INFINITY : at - entry.fetchedAt;
        const freshFor = entry?.value === null ? notFoundMs : ttlMs;
        if (entry !== undefined && age < freshFor) {
          results[index] = served(fact, entry.value, entry.fetchedAt) as KeyedResult<T>;
        } else if (entry !== undefined && entry.value !== null && age < ttlMs + staleMs) {
          results[index] = served(fact, entry.value, entry.fetchedAt) as KeyedResult<T>;
          stale.push(id);
        } else {
          missing.push(id);
          missingAt.push(index);
        }
      });
      const hits = ids.length - missing.length - stale.length;
      if (hits > 0) onLookup?.(fact, 'hit', hits);
      if (stale.length > 0) {
        onLookup?.(fact, 'stale', stale.length);
        refresh(stale);
      }
      if (missing.length > 0) {
        onLookup?.(fact, 'miss', missing.length);
        const fetched = await fetch(missing, callOptions);
        fetched.forEach((result, index) => {
          results[missingAt[index] as number] = result;
        });
      }
      return results as KeyedResult<T>[];
    };
  }

  const { getPasskeys, getIdentities } = provider;
  return {
    ...provider,
    forget: (localIds: readonly string[]) => {
      store.delete(localIds.flatMap((id) => FACTS.map((fact) => keyOf(fact, id))));
    },
    getUsers: through<User>('user', provider.getUsers.bind(provider)),
    ...(getPasskeys
      ? { getPasskeys: through<readonly Passkey[]>('passkeys', getPasskeys.bind(provider)) }
      : {}),
    ...(getIdentities
      ? { getIdentities: through<readonly Identity[]>('identities', getIdentities.bind(provider)) }
      : {}),
    listUsers: async (page: PageRequest, callOptions?: CallOptions): Promise<Page> => {
      const fetchedAt = now();
      const result = await provider.listUsers(page, callOptions);
      if (options.primeFromLists)
        for (const user of result.users) keep('user', user.localId, user, fetchedAt);
      return result;
    },
  };
}
