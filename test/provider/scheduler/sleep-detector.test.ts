// Headless suspend detection from the clocks alone: the monotonic clock stops while the machine sleeps,
// the wall clock does not. Driven by hand-set clocks, so nothing here waits or times anything.
import { describe, expect, it } from 'vitest';
import { SleepDetector } from '../../../provider/scheduler/sleep-detector.js';

function clocks() {
  const c = { wall: 1_000_000, mono: 5_000 };
  return { c, detector: new SleepDetector({ clocks: { wall: () => c.wall, monotonic: () => c.mono }, thresholdMs: 5000, settleMs: 10_000 }) };
}

describe('SleepDetector', () => {
  it('stays awake while both clocks move together, and through an NTP step under the threshold', () => {
    const { c, detector } = clocks();
    for (let i = 0; i < 10; i++) {
      c.wall += 1000;
      c.mono += 1000;
      expect(detector.check()).toBe(false);
    }
    c.wall += 1000 + 3000; // the wall clock stepped 3 s forward
    c.mono += 1000;
    expect(detector.check()).toBe(false);
  });

  it('sees a sleep when the wall clock ran ahead, holds for the settle time, then lets go', () => {
    const { c, detector } = clocks();
    c.wall += 1000 + 60 * 60_000; // an hour asleep: the monotonic clock did not move
    c.mono += 1000;
    expect(detector.check()).toBe(true);
    c.wall += 9000;
    c.mono += 9000;
    expect(detector.check()).toBe(true);
    c.wall += 1500;
    c.mono += 1500;
    expect(detector.check()).toBe(false);
  });

  it('does not mistake a wall clock set backwards for a sleep', () => {
    const { c, detector } = clocks();
    c.wall -= 60 * 60_000;
    c.mono += 1000;
    expect(detector.check()).toBe(false);
  });
});
