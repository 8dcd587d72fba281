import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import type { RedisSettings } from './redis-settings.js';

/**
 * GCRA (a token bucket kept as one timestamp) on Redis' own clock, so replicas with skewed clocks
 * still share one bucket: a token is granted at `max(tat, now) + interval` when that is within `burst`
 * intervals of now (plus the caller's `maxWait`), and the wait until it is due is returned. Hand-written
 * because rate-limiter-flexible's Redis limiter counts in whole-second fixed windows, which let twice
 * the quota through in a sliding second whenever `burst` is below the rate (docs/scaling-out.md).
 * Several buckets at once, all or none (a principal's quotas for one operation, in one round trip): the
 * wait is the longest of theirs, and nothing is taken from any when it is over `maxWait`. Once granted,
 * each bucket also gives up to `extra` more tokens where it has room now (a replica taking a principal's
 * next moments ahead: principal-quota.ts); an extra is never waited for.
 * KEYS the buckets; ARGV max wait ms, then per bucket its interval ms, burst, cost (tokens taken) and
 * extra. Returns {granted 0|1, wait ms, then per bucket the extra tokens it gave}.
 */
const GCRA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local maxWait = tonumber(ARGV[1])
local wait = 0
local tats, intervals, bursts = {}, {}, {}
for i = 1, #KEYS do
  local interval = tonumber(ARGV[i * 4 - 2])
  local burst = tonumber(ARGV[i * 4 - 1])
  local cost = tonumber(ARGV[i * 4])
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
  if tat < now then tat = now end
  local due = tat + cost * interval - burst * interval - now
  if due > wait then wait = due end
  tats[i] = tat + cost * interval
  intervals[i] = interval
  bursts[i] = burst
end
if wait > maxWait then return {0, math.ceil(wait)} end
local reply = {1, math.ceil(wait)}
for i = 1, #KEYS do
  local interval = intervals[i]
  local room = math.floor((now + bursts[i] * interval - tats[i]) / interval)
  local extra = math.max(0, math.min(tonumber(ARGV[i * 4 + 1]), room))
  tats[i] = tats[i] + extra * interval
  reply[i + 2] = extra
  redis.call('SET', KEYS[i], tostring(tats[i]), 'PX', math.ceil(tats[i] - now) + 1000)
end
return reply
`;

/**
 * The same bucket, taking up to `count` tokens that are due now (no wait), at once: as many as GCRA above
 * would grant one by one with no wait. KEYS[1] the bucket; ARGV interval ms, burst, count. Returns how
 * many it took (0 when none is due).
 */
const GCRA_NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local count = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local n = math.floor((now + burst * interval - tat) / interval)
if n > count then n = count end
if n <= 0 then return 0 end
redis.call('SET', KEYS[1], tostring(tat + n * interval), 'PX', math.ceil(tat + n * interval - now) + 1000)
return n
`;

/**
 * One bucket of a GCRA call: its key (prefixed by the link), interval in ms, burst, tokens taken, and
 * how many more it may give where it has room (none by default).
 */
export interface GcraBucket {
  readonly key: string;
  readonly intervalMs: number;
  readonly burst: number;
  readonly cost: number;
  readonly extra?: number;
}

/** [granted 0|1, wait ms, then per bucket (in order) the extra tokens it gave when granted]. */
export type GcraReply = [number, number, ...number[]];

interface GcraCommand {
  gcra(keys: number, ...args: (string | number)[]): Promise<GcraReply>;
  gcraNow(key: string, interval: number, burst: number, count: number): Promise<number>;
}

/**
 * What one replica tells the others: a directory's provider asked for `ms` of quiet, or (`rate`) a
 * 429 taught it the directory takes no more than this many requests per second.
 */
type HoldOffMessage =
  | { readonly directory: string; readonly ms: number }
  | { readonly directory: string; readonly rate: number };

/**
 * This replica's link to Redis: commands (bounded by `commandTimeoutMs`, never queued while
 * disconnected: a caller falls back at once) and a subscriber for hold-offs. Reconnects for as long as
 * the process lives; `up` and `down` say when it comes and goes, once each way.
 */
export class SharedState extends EventEmitter<{ up: []; down: [] }> {
  readonly keyPrefix: string;
  readonly expectedReplicas: number;
  private readonly client: Redis & GcraCommand;
  private readonly subscriber: Redis;
  private readonly holdOffChannel: string;
  private readonly holdOffs = new Map<string, (ms: number) => void>();
  private readonly rates = new Map<string, (rate: number) => void>();
  private connected = false;

  constructor(settings: RedisSettings) {
    super();
    this.keyPrefix = settings.keyPrefix;
    this.expectedReplicas = settings.expectedReplicas;
    this.holdOffChannel = `${settings.keyPrefix}hold-off`;
    const options = {
      keyPrefix: settings.keyPrefix,
      commandTimeout: settings.commandTimeoutMs,
      connectTimeout: 2_000,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // Keep trying, at most every 2 s, for as long as the process lives.
      retryStrategy: (times: number) => Math.min(100 * times, 2_000),
    };
    const client =
      settings.path !== undefined
        ? new Redis({ ...options, path: settings.path })
        : new Redis(settings.url as string, options);
    // Its number of keys comes with each call (the first argument), so the link's prefix still applies.
    client.defineCommand('gcra', { lua: GCRA });
    client.defineCommand('gcraNow', { numberOfKeys: 1, lua: GCRA_NOW });
    this.client = client as Redis & GcraCommand;
    client.on('error', () => {});
    client.on('ready', () => this.report(true));
    client.on('close', () => this.report(false));
    client.on('end', () => this.report(false));
    this.subscriber = this.listen(this.holdOffChannel, (text) => {
      const message = parseHoldOff(text);
      if (message === null) return;
      if ('ms' in message) this.holdOffs.get(message.directory)?.(message.ms);
      else this.rates.get(message.directory)?.(message.rate);
    });
  }

  /**
   * A connection of its own that hears `channel`, subscribed again on every `ready` (the first connect
   * and each reconnect) with its failure caught. ioredis' own resubscribe sends SUBSCRIBE with no
   * handler, so a connection closed while one was in flight was an unhandled rejection (seen in CI).
   * The caller disconnects it.
   */
  listen(channel: string, onMessage: (text: string) => void): Redis {
    const connection = this.client.duplicate({ keyPrefix: '', autoResubscribe: false });
    // Errors show as `down` on the command connection; ioredis would otherwise print each retry.
    connection.on('error', () => {});
    connection.on('ready', () => void connection.subscribe(channel).catch(() => undefined));
    connection.on('message', (heard: string, text: string) => {
      if (heard === channel) onMessage(text);
    });
    return connection;
  }

  /** Commands can be sent now (connected and authenticated). */
  get ready(): boolean {
    return this.client.status === 'ready';
  }

  /**
   * GCRA grants from every bucket at once, all or none (prefixed keys): [1, wait, extras…] when each has
   * room within `maxWaitMs` (and the extra tokens each gave), else [0, the longest wait] with nothing
   * taken. Rejects when Redis does not answer in time.
   */
  gcra(buckets: readonly GcraBucket[], maxWaitMs: number): Promise<GcraReply> {
    const args: (string | number)[] = buckets.map((bucket) => bucket.key);
    args.push(Math.max(0, Math.floor(maxWaitMs)));
    for (const { intervalMs, burst, cost, extra } of buckets) args.push(intervalMs, burst, cost, extra ?? 0);
    return this.client.gcra(buckets.length, ...args);
  }

  /** Up to `count` tokens due now from the bucket `key` (prefixed), at once: how many it took. */
  gcraNow(key: string, intervalMs: number, burst: number, count: number): Promise<number> {
    return this.client.gcraNow(key, intervalMs, burst, count);
  }

  /** Tells every replica (this one included) that `directory` must hold off for `ms`. */
  publishHoldOff(directory: string, ms: number): void {
    if (!this.ready) return;
    this.client.publish(this.holdOffChannel, JSON.stringify({ directory, ms })).catch(() => undefined);
  }

  /** Hold-offs other replicas saw for `directory`. */
  onHoldOff(directory: string, apply: (ms: number) => void): void {
    this.holdOffs.set(directory, apply);
  }

  /** Tells every replica the rate a 429 taught this one for `directory`. */
  publishRate(directory: string, rate: number): void {
    if (!this.ready) return;
    this.client.publish(this.holdOffChannel, JSON.stringify({ directory, rate })).catch(() => undefined);
  }

  /** Rates other replicas learnt for `directory`. */
  onRate(directory: string, apply: (rate: number) => void): void {
    this.rates.set(directory, apply);
  }

  /** The command connection, for the user cache's store (src/cache/redis-store.ts). */
  get commands(): Redis {
    return this.client;
  }

  async close(): Promise<void> {
    this.removeAllListeners();
    this.subscriber.disconnect();
    await this.client.quit().catch(() => this.client.disconnect());
  }

  private report(connected: boolean): void {
    if (connected === this.connected) return;
    this.connected = connected;
    this.emit(connected ? 'up' : 'down');
  }
}

/** Another replica's message, checked: a directory name and a sane number of milliseconds. */
function parseHoldOff(text: string): HoldOffMessage | null {
  try {
    const value = JSON.parse(text) as { directory?: unknown; ms?: unknown; rate?: unknown };
    if (typeof value.directory !== 'string') return null;
    if (typeof value.rate === 'number') {
      if (!Number.isFinite(value.rate) || value.rate <= 0 || value.rate > 100_000) return null;
      return { directory: value.directory, rate: value.rate };
    }
    if (typeof value.ms !== 'number') return null;
    if (!Number.isFinite(value.ms) || value.ms <= 0 || value.ms > 3_600_000) return null;
    return { directory: value.directory, ms: value.ms };
  } catch {
    return null;
  }
}
