import type { SharedState } from '../shared/shared-state.js';
import {
  type ActionStore,
  type Claim,
  claimOf,
  parseStored,
  parseSuspension,
  type SuspensionRecord,
} from './action-store.js';
import { suspensionKey } from './memory-action-store.js';

/**
 * The action log in Redis, shared by every replica: `actions:1:request:<key>` (SET NX while running,
 * then the result, expiring) and `actions:1:suspended:<directory>:<id>` (no expiry: a suspension is
 * undone by a resume, not by time). Failures reject: a write is never made without its record.
 */
export class RedisActionStore implements ActionStore {
  constructor(private readonly shared: SharedState) {}

  get ready(): boolean {
    return this.shared.ready;
  }

  async claim(key: string, fingerprint: string, runningMs: number): Promise<Claim> {
    const redis = this.shared.commands;
    const running = JSON.stringify({ fingerprint, state: 'running' });
    const set = await redis.set(requestKey(key), running, 'PX', Math.max(1, runningMs), 'NX');
    if (set === 'OK') return { kind: 'claimed' };
    const stored = parseStored(await redis.get(requestKey(key)));
    // Gone between the two commands (expired): try once more.
    if (stored === null) {
      const again = await redis.set(requestKey(key), running, 'PX', Math.max(1, runningMs), 'NX');
      return again === 'OK' ? { kind: 'claimed' } : { kind: 'running' };
    }
    return claimOf(stored, fingerprint);
  }

  async finish(key: string, fingerprint: string, result: unknown, keepMs: number): Promise<void> {
    await this.shared.commands.set(
      requestKey(key),
      JSON.stringify({ fingerprint, state: 'done', result }),
      'PX',
      Math.max(1, keepMs),
    );
  }

  async release(key: string): Promise<void> {
    await this.shared.commands.del(requestKey(key));
  }

  async suspension(directory: string, localId: string): Promise<SuspensionRecord | null> {
    return parseSuspension(await this.shared.commands.get(suspendedKey(directory, localId)));
  }

  async recordSuspension(directory: string, localId: string, record: SuspensionRecord): Promise<void> {
    await this.shared.commands.set(suspendedKey(directory, localId), JSON.stringify(record));
  }

  async clearSuspension(directory: string, localId: string): Promise<void> {
    await this.shared.commands.del(suspendedKey(directory, localId));
  }
}

const requestKey = (key: string) => `actions:1:request:${key}`;
const suspendedKey = (directory: string, localId: string) =>
  `actions:1:suspended:${suspensionKey(directory, localId)}`;
