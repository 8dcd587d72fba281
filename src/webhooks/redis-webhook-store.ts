import type { SharedState } from '../shared/shared-state.js';
import type { DeadLetter, Delivery, WebhookEndpoint } from './webhook-model.js';
import { MAX_DEAD_LETTERS, revived, type Settlement, type WebhookStore } from './webhook-store.js';

// Webhooks in Redis: the endpoints in one hash, and per endpoint a cursor per directory (the stream
// place queued up to), a queue (list) per directory and a dead-letter list (newest first). The steps
// another holder may race are Lua scripts (compare-and-set, webhook-store.ts).

const CREATE = `
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
return 1
`;

const SET_ENDPOINT = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`;

const ENQUEUE = `
if redis.call('HEXISTS', KEYS[4], ARGV[1]) == 0 then return 0 end
local current = redis.call('HGET', KEYS[1], ARGV[2]) or ''
if current ~= ARGV[3] then return 0 end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[4])
local queued = tonumber(ARGV[5])
for i = 7, #ARGV do
  if i < 7 + queued then redis.call('RPUSH', KEYS[2], ARGV[i]) else redis.call('LPUSH', KEYS[3], ARGV[i]) end
end
redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[6]) - 1)
return 1
`;

const SETTLE = `
local head = redis.call('LINDEX', KEYS[1], 0)
if not head or cjson.decode(head).messageId ~= ARGV[1] then return 0 end
if ARGV[2] == 'retry' then
  redis.call('LSET', KEYS[1], 0, ARGV[3])
  return 1
end
redis.call('LPOP', KEYS[1])
if ARGV[2] == 'dead' then
  redis.call('LPUSH', KEYS[2], ARGV[3])
  redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[4]) - 1)
end
return 1
`;

export class RedisWebhookStore implements WebhookStore {
  constructor(private readonly shared: SharedState) {}

  private get redis() {
    return this.shared.commands;
  }

  async endpoints(): Promise<WebhookEndpoint[]> {
    const all = await this.redis.hgetall(ENDPOINTS);
    return Object.values(all).map((text) => JSON.parse(text) as WebhookEndpoint);
  }

  async endpoint(id: string): Promise<WebhookEndpoint | null> {
    const text = await this.redis.hget(ENDPOINTS, id);
    return text === null ? null : (JSON.parse(text) as WebhookEndpoint);
  }

  async create(endpoint: WebhookEndpoint, cursors: Readonly<Record<string, number>>, max: number) {
    const pairs = Object.entries(cursors).flatMap(([directory, seq]) => [directory, String(seq)]);
    const done = await this.redis.eval(
      CREATE,
      2,
      ENDPOINTS,
      cursorKey(endpoint.id),
      endpoint.id,
      JSON.stringify(endpoint),
      max,
      ...pairs,
    );
    return done === 1;
  }

  async setSecrets(id: string, secrets: WebhookEndpoint['secrets']) {
    const endpoint = await this.endpoint(id);
    if (endpoint === null) return false;
    const done = await this.redis.eval(
      SET_ENDPOINT,
      1,
      ENDPOINTS,
      id,
      JSON.stringify({ ...endpoint, secrets }),
    );
    return done === 1;
  }

  async remove(id: string) {
    const endpoint = await this.endpoint(id);
    if (endpoint === null) return false;
    const [[, removed]] = (await this.redis
      .multi()
      .hdel(ENDPOINTS, id)
      .del(cursorKey(id), deadKey(id), ...endpoint.directories.map((directory) => queueKey(id, directory)))
      .exec()) as [[unknown, number], unknown];
    return removed === 1;
  }

  async cursor(id: string, directory: string) {
    const text = await this.redis.hget(cursorKey(id), directory);
    return text === null ? null : Number(text);
  }

  async enqueue(
    id: string,
    directory: string,
    from: number | null,
    to: number,
    deliveries: readonly Delivery[],
    overflow: readonly DeadLetter[],
  ) {
    const done = await this.redis.eval(
      ENQUEUE,
      4,
      cursorKey(id),
      queueKey(id, directory),
      deadKey(id),
      ENDPOINTS,
      id,
      directory,
      from === null ? '' : String(from),
      String(to),
      deliveries.length,
      MAX_DEAD_LETTERS,
      ...deliveries.map((delivery) => JSON.stringify(delivery)),
      ...overflow.map((letter) => JSON.stringify(letter)),
    );
    return done === 1;
  }

  async head(id: string, directory: string) {
    const text = await this.redis.lindex(queueKey(id, directory), 0);
    return text === null ? null : (JSON.parse(text) as Delivery);
  }

  async settle(id: string, directory: string, messageId: string, settlement: Settlement) {
    const json =
      settlement.kind === 'retry'
        ? JSON.stringify(settlement.delivery)
        : settlement.kind === 'dead'
          ? JSON.stringify(settlement.letter)
          : '';
    const done = await this.redis.eval(
      SETTLE,
      2,
      queueKey(id, directory),
      deadKey(id),
      messageId,
      settlement.kind,
      json,
      MAX_DEAD_LETTERS,
    );
    return done === 1;
  }

  async backlog(id: string, directory: string) {
    return this.redis.llen(queueKey(id, directory));
  }

  async deadLetters(id: string, limit: number) {
    const [[, count], [, texts]] = (await this.redis
      .multi()
      .llen(deadKey(id))
      .lrange(deadKey(id), 0, Math.max(0, limit - 1))
      .exec()) as [[unknown, number], [unknown, string[]]];
    return { count, letters: limit <= 0 ? [] : texts.map((text) => JSON.parse(text) as DeadLetter) };
  }

  async replay(id: string) {
    const texts = await this.redis.lrange(deadKey(id), 0, -1);
    if (texts.length === 0) return 0;
    const now = Date.now();
    const batch = this.redis.multi();
    // Newest first: putting each at the front of its queue leaves the oldest at the front.
    for (const text of texts) {
      const letter = JSON.parse(text) as DeadLetter;
      batch.lpush(queueKey(id, letter.directory), JSON.stringify(revived(letter, now)));
    }
    // Only what was read: letters buried meanwhile are at the list's head and stay.
    batch.ltrim(deadKey(id), 0, -(texts.length + 1));
    await batch.exec();
    return texts.length;
  }
}

const ENDPOINTS = 'wh:1:endpoints';
const cursorKey = (id: string) => `wh:1:${id}:cursor`;
const deadKey = (id: string) => `wh:1:${id}:dead`;
const queueKey = (id: string, directory: string) => `wh:1:${id}:q:${directory}`;
