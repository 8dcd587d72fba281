import { describe, expect, it } from 'vitest';
import { AdaptiveRate, TICK_MS } from '../../src/resilience/adaptive-rate.js';

// The rate rule on a fake clock: it rises only while callers wait for tokens, backs off to just under
// what the directory accepted on a 429, once per overload, and never leaves [floor, ceiling].

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('AdaptiveRate', () => {
  it('doubles per tick while saturated (slow start), not while idle, and never passes the ceiling', () => {
    const time = clock();
    const rate = new AdaptiveRate({ initial: 100, floor: 1, ceiling: 1000, adaptive: true }, time.now);
    time.advance(TICK_MS * 3);
    expect(rate.current).toBe(100); // idle: no evidence the directory takes more
    for (const expected of [200, 400, 800, 1000, 1000]) {
      rate.noteWaited();
      time.advance(TICK_MS);
      expect(rate.current).toBe(expected);
    }
  });

  it('backs off to 90% of what was accepted in the last second on a 429, once per overload, then climbs slowly near it', () => {
    const time = clock();
    const decreases: number[] = [];
    const rate = new AdaptiveRate(
      { initial: 400, floor: 1, ceiling: 10_000, adaptive: true },
      time.now,
      (r) => decreases.push(r),
    );
    for (let i = 0; i < 120; i += 1) {
      rate.noteSent();
      time.advance(1000 / 120);
    }
    rate.noteRateLimited();
    // Counted in 100 ms slots, the last ten of them (the current one just begun): the 108 sent in the
    // last 900 ms; 0.9 × 108. Counting short errs on the safe side.
    expect(rate.current).toBeCloseTo(97.2, 5);
    rate.noteRateLimited(); // the same overload: no second back-off
    expect(decreases).toHaveLength(1);
    expect(rate.state()).toMatchObject({ learntLimit: 108, recent429s: 2, adaptive: true });
    // Below 95% of the limit it climbs 10% of the limit per second; above, 1%.
    rate.noteWaited();
    time.advance(TICK_MS);
    expect(rate.current).toBeCloseTo(102.6, 5); // + 10% of 108 per second, half a second
    rate.noteWaited();
    time.advance(TICK_MS);
    expect(rate.current).toBeCloseTo(103.14, 5); // at 95% of the limit: + 1% per second
    time.advance(61_000);
    expect(rate.state().recent429s).toBe(0);
  });

  it('a fixed rate never moves; another replica’s lower rate is adopted, a higher one is not', () => {
    const time = clock();
    const fixed = AdaptiveRate.fixed(20, time.now);
    fixed.noteWaited();
    time.advance(TICK_MS * 4);
    fixed.noteRateLimited();
    expect(fixed.current).toBe(20);
    expect(fixed.state().recent429s).toBe(1);

    const learnt = new AdaptiveRate({ initial: 100, floor: 5, ceiling: 500, adaptive: true }, time.now);
    learnt.adopt(300);
    expect(learnt.current).toBe(100);
    learnt.adopt(2);
    expect(learnt.current).toBe(5);
  });
});
