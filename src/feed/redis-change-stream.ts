import type { Redis } from 'ioredis';
import type { Change, ChangePosition } from '../directory/change-model.js';
import type { SharedState } from '../shared/shared-state.js';
import type { ChangeStream, Lease, Retention, StreamEntry, StreamRead } from './change-stream.js';

// The cluster's change streams in Redis: per directory a Redis Stream of changes (entry id `<seq>-0`,
// gapless, trimmed by length and by append age), the feed's position, a sequence counter and a lease
// with a fencing token. A stream numbers from a base (Redis' clock in µs when it was started), so a
// stream started afresh after Redis lost its data numbers above every place of the lost one: a cursor
// from before the loss reads as expired, never as a place in the new stream (seen in CI: a reader at 1
// of the old stream silently skipped entry 1 of the new one). Each step that must not interleave with another replica's is one Lua
// script: an append checks the lease it was given still holds, so a poller that lost its lease (paused,
// partitioned) can never append after the new holder.

const APPEND = `
local lease = redis.call('GET', KEYS[1])
if lease ~= ARGV[1] then return 0 end
local now = tonumber(ARGV[3])
if redis.call('EXISTS', KEYS[3]) == 0 then
  local t = redis.call('TIME')
  local base = string.format('%.0f', tonumber(t[1]) * 1000000 + tonumber(t[2]))
  redis.call('SET', KEYS[3], base)
  redis.call('SET', KEYS[5], base)
end
for i = 6, #ARGV do
  local seq = redis.call('INCR', KEYS[3])
  redis.call('XADD', KEYS[2], string.format('%.0f', seq) .. '-0', 'c', ARGV[i], 't', now)
end
redis.call('SET', KEYS[4], ARGV[2])
redis.call('XTRIM', KEYS[2], 'MAXLEN', tonumber(ARGV[4]))
local oldest = now - tonumber(ARGV[5])
while true do
  local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 100)
  if #first == 0 then break end
  local keep = nil
  for _, entry in ipairs(first) do
    if tonumber(entry[2][4]) >= oldest then keep = entry[1] break end
  end
  if keep then redis.call('XTRIM', KEYS[2], 'MINID', keep) break end
  redis.call('XTRIM', KEYS[2], 'MINID', string.format('%.0f', tonumber(string.match(first[#first][1], '^(%d+)')) + 1) .. '-0')
end
return 1
`;

const LEASE = `
local current = redis.call('GET', KEYS[1])
if current then
  if current == ARGV[3] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return tonumber(string.match(current, '|(%d+)$'))
  end
  if string.sub(current, 1, #ARGV[1] + 1) ~= ARGV[1] .. '|' then return -1 end
end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. token, 'PX', ARGV[2])
return token
`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`;

/** How often a waiting subscriber looks again if a notification was lost (pub/sub is best effort). */
const RECHECK_MS = 2_000;

export class RedisChangeStream implements ChangeStream {
  private readonly listener: Redis;
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly channel: string;

  constructor(
    private readonly shared: SharedState,
    private readonly retention: Retention,
  ) {
    this.channel = `${shared.keyPrefix}feed:appended`;
    this.listener = shared.listen(this.channel, (directory) => {
      for (const wake of this.waiters.get(directory) ?? []) wake();
    });
  }

  async append(lease: Lease, changes: readonly Change[], position: ChangePosition): Promise<boolean> {
    const done = await this.shared.commands.eval(
      APPEND,
      5,
      leaseKey(lease.directory),
      streamKey(lease.directory),
      seqKey(lease.directory),
      positionKey(lease.directory),
      baseKey(lease.directory),
      leaseValue(lease),
      JSON.stringify(position),
      Date.now(),
      this.retention.maxLength,
      this.retention.maxAgeMs,
      ...changes.map((change) => JSON.stringify(change)),
    );
    if (done !== 1) return false;
    if (changes.length > 0) await this.shared.commands.publish(this.channel, lease.directory);
    return true;
  }

  async position(directory: string): Promise<ChangePosition | null> {
    const text = await this.shared.commands.get(positionKey(directory));
    return text === null ? null : (JSON.parse(text) as ChangePosition);
  }

  async read(directory: string, seq: number, limit: number): Promise<StreamRead> {
    const redis = this.shared.commands;
    const [[, last], [, started], [, first], [, rows]] = (await redis
      .multi()
      .get(seqKey(directory))
      .get(baseKey(directory))
      .xrange(streamKey(directory), '-', '+', 'COUNT', 1)
      .xrange(streamKey(directory), `(${seq}-0`, '+', 'COUNT', Math.max(1, limit))
      .exec()) as [
      [unknown, string | null],
      [unknown, string | null],
      [unknown, StreamRow[]],
      [unknown, StreamRow[]],
    ];
    const newest = Number(last ?? 0);
    const base = Number(started ?? 0);
    const oldest = first[0] === undefined ? newest + 1 : seqOf(first[0][0]);
    // 0 is the place before a stream's first entry, whatever its base.
    const at = seq === 0 ? base : seq;
    const entries: StreamEntry[] =
      limit <= 0
        ? []
        : rows.map(([id, fields]) => ({ seq: seqOf(id), change: JSON.parse(fields[1] ?? 'null') as Change }));
    // A place below the base or past the newest is from before the stream was lost (Redis restarted
    // without its data): what came since cannot be told, so it is expired too.
    return { entries, last: newest, expired: at < base || at < oldest - 1 || at > newest };
  }

  async wait(directory: string, seq: number, waitMs: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return;
    if ((await this.read(directory, seq, 0)).last > seq) return;
    await new Promise<void>((resolve) => {
      let waiters = this.waiters.get(directory);
      if (waiters === undefined) {
        waiters = new Set();
        this.waiters.set(directory, waiters);
      }
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0) this.waiters.delete(directory);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.min(waitMs, RECHECK_MS));
      waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  async lease(directory: string, holder: string, ttlMs: number, held: Lease | null): Promise<Lease | null> {
    const token = (await this.shared.commands.eval(
      LEASE,
      2,
      leaseKey(directory),
      fenceKey(directory),
      holder,
      Math.max(1, Math.round(ttlMs)),
      held === null ? '' : leaseValue(held, holder),
    )) as number;
    if (token < 0) return null;
    return { directory, token, until: Date.now() + ttlMs, holder };
  }

  async release(lease: Lease): Promise<void> {
    await this.shared.commands.eval(RELEASE, 1, leaseKey(lease.directory), leaseValue(lease));
  }

  close(): void {
    this.listener.disconnect();
  }
}

type StreamRow = [id: string, fields: string[]];

const seqOf = (id: string) => Number(id.slice(0, id.indexOf('-')));
const leaseValue = (lease: Lease, holder = lease.holder) => `${holder}|${lease.token}`;
const streamKey = (directory: string) => `feed:1:${directory}:stream`;
const seqKey = (directory: string) => `feed:1:${directory}:seq`;
const positionKey = (directory: string) => `feed:1:${directory}:position`;
const leaseKey = (directory: string) => `feed:1:${directory}:lease`;
const fenceKey = (directory: string) => `feed:1:${directory}:fence`;
const baseKey = (directory: string) => `feed:1:${directory}:base`;
