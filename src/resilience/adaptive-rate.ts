import type { RateState } from '../directory/port.js';

// The outbound rate a directory is sent at, learnt from the directory itself. Where the
// provider documents a quota it is the ceiling and is never exceeded; where none is documented the rate
// adapts: it doubles every TICK_MS while callers are waiting for tokens (slow start, like TCP's), and
// after the first 429 it settles just under the rate the directory accepted, then probes upwards
// slowly, so 429s stay rare (each one costs a Retry-After of quiet). A configured fixed rate never moves.

/** How often the rate may rise. */
export const TICK_MS = 500;
/** After a 429: this share of what the directory accepted in the last second. */
const BACK_OFF = 0.9;
/** Below `NEAR` × the learnt limit the rate climbs quickly (per second, a share of the limit)… */
const NEAR = 0.95;
const CLIMB = 0.1;
/** …and above it, slowly, to find out whether the quota has grown. */
const PROBE = 0.01;
/** 429s that arrive within this long of one back-off are the same overload, not a new one. */
const DECREASE_GAP_MS = 1000;
/** How long 429s are remembered for `Directory.health`. */
const RECENT_MS = 60_000;

export interface RateSettings {
  /** Where the rate starts (the ceiling for a documented quota). */
  readonly initial: number;
  readonly floor: number;
  /** Never exceeded: a documented quota, or the configured ceiling. */
  readonly ceiling: number;
  /** False for a configured fixed rate. */
  readonly adaptive: boolean;
}

export class AdaptiveRate {
  /** A rate that never moves. */
  static fixed(requestsPerSecond: number, now: () => number = Date.now): AdaptiveRate {
    const r = requestsPerSecond;
    return new AdaptiveRate({ initial: r, floor: r, ceiling: r, adaptive: false }, now);
  }

  private rate: number;
  private limit: number | null = null;
  private saturated = false;
  private tickAt: number;
  private decreasedAt = Number.NEGATIVE_INFINITY;
  private readonly sent: SecondCounter;
  private readonly limited: number[] = [];

  constructor(
    private readonly settings: RateSettings,
    private readonly now: () => number = Date.now,
    /** Told when a 429 lowered the rate (to pass the learnt rate on to the other replicas). */
    private readonly onDecrease: (rate: number) => void = () => {},
  ) {
    this.rate = clamp(settings.initial, settings.floor, settings.ceiling);
    this.tickAt = now();
    this.sent = new SecondCounter(now);
  }

  /** Requests per second now (advancing the rate first, if it may rise). */
  get current(): number {
    this.tick();
    return this.rate;
  }

  /** A token was granted: one more request in the last second. */
  noteSent(): void {
    this.sent.add();
  }

  /** A caller had to wait for a token: the rate, not the callers, is what limits traffic. */
  noteWaited(): void {
    this.saturated = true;
  }

  /** The directory answered 429: back off to just under what it accepted. */
  noteRateLimited(): void {
    const at = this.now();
    this.limited.push(at);
    while (this.limited.length > 0 && at - (this.limited[0] as number) >= RECENT_MS) this.limited.shift();
    if (!this.settings.adaptive || at - this.decreasedAt < DECREASE_GAP_MS) return;
    this.decreasedAt = at;
    const accepted = this.sent.lastSecond();
    this.limit = Math.max(this.settings.floor, Math.min(this.rate, accepted > 0 ? accepted : this.rate));
    this.rate = clamp(this.limit * BACK_OFF, this.settings.floor, this.settings.ceiling);
    this.saturated = false;
    this.tickAt = at;
    this.onDecrease(this.rate);
  }

  /** Another replica learnt a lower rate: take it (never a higher one). */
  adopt(rate: number): void {
    if (!this.settings.adaptive || !Number.isFinite(rate)) return;
    const lower = clamp(rate, this.settings.floor, this.settings.ceiling);
    if (lower >= this.rate) return;
    this.rate = lower;
    this.limit = lower / BACK_OFF;
    this.decreasedAt = this.now();
  }

  state(): RateState {
    const at = this.now();
    return {
      current: this.current,
      floor: this.settings.floor,
      ceiling: this.settings.ceiling,
      adaptive: this.settings.adaptive,
      learntLimit: this.limit,
      recent429s: this.limited.filter((limitedAt) => at - limitedAt < RECENT_MS).length,
    };
  }

  private tick(): void {
    const at = this.now();
    if (at - this.tickAt < TICK_MS) return;
    const ticks = Math.floor((at - this.tickAt) / TICK_MS);
    this.tickAt += ticks * TICK_MS;
    if (!this.settings.adaptive || !this.saturated) return;
    this.saturated = false;
    // Only one tick's rise, however long since: an idle spell is no evidence the directory takes more.
    if (this.limit === null) {
      this.rate = Math.min(this.settings.ceiling, this.rate * 2);
      return;
    }
    const step = (this.rate < NEAR * this.limit ? CLIMB : PROBE) * this.limit * (TICK_MS / 1000);
    this.rate = Math.min(this.settings.ceiling, this.rate + step);
    // Above the learnt limit without a 429: the quota has grown.
    if (this.rate > this.limit) this.limit = this.rate;
  }
}

/**
 * Events in the last second, in ten 100 ms slots: O(1) per event, where a list of timestamps costs a
 * shift per event and thousands of entries at the rates a directory without a quota reaches.
 */
class SecondCounter {
  private readonly slots = new Array<number>(10).fill(0);
  /** The slot index (ms / 100) the newest slot stands for. */
  private head = 0;

  constructor(private readonly now: () => number) {
    this.head = Math.floor(now() / 100);
  }

  add(): void {
    this.advance();
    this.slots[this.head % 10] = (this.slots[this.head % 10] as number) + 1;
  }

  /** Events in the last ten slots (the current, partly elapsed one included). */
  lastSecond(): number {
    this.advance();
    return this.slots.reduce((sum, n) => sum + n, 0);
  }

  private advance(): void {
    const slot = Math.floor(this.now() / 100);
    for (let next = this.head + 1; next <= slot && next <= this.head + 10; next += 1)
      this.slots[next % 10] = 0;
    if (slot > this.head) this.head = slot;
  }
}

function clamp(value: number, floor: number, ceiling: number): number {
  return Math.min(ceiling, Math.max(floor, value));
}
