import { describe, expect, it } from 'vitest';
import { CrashWindow, DEFAULT_BACKOFF, backoffDelay } from '../../../provider/worker/restart-policy.js';

describe('backoffDelay', () => {
  it('doubles from the base up to the cap', () => {
    const options = { baseMs: 100, factor: 2, maxMs: 1000, jitter: 0 };
    expect([0, 1, 2, 3, 4, 5, 20].map((attempt) => backoffDelay(attempt, options, 0.5))).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('spreads each delay over its jitter fraction', () => {
    const options = { baseMs: 1000, factor: 2, maxMs: 30_000, jitter: 0.2 };
    expect(backoffDelay(0, options, 0)).toBe(800);
    expect(backoffDelay(0, options, 0.999999)).toBe(1000);
    expect(backoffDelay(1, options, 0.5)).toBe(1800);
    for (let i = 0; i < 100; i++) {
      const delay = backoffDelay(10, DEFAULT_BACKOFF, Math.random());
      expect(delay).toBeGreaterThanOrEqual(DEFAULT_BACKOFF.maxMs * (1 - DEFAULT_BACKOFF.jitter));
      expect(delay).toBeLessThanOrEqual(DEFAULT_BACKOFF.maxMs);
    }
  });

  it('treats odd inputs as the nearest sensible ones', () => {
    const options = { baseMs: 100, factor: 2, maxMs: 1000, jitter: 5 };
    expect(backoffDelay(-3, options, 2)).toBe(100);
    expect(backoffDelay(1.7, { ...options, jitter: 0 }, 0)).toBe(200);
  });
});

describe('CrashWindow', () => {
  it('opens on the Nth crash inside the window, and forgets crashes that slid out of it', () => {
    const window = new CrashWindow({ maxCrashes: 3, windowMs: 1000, coolDownMs: 5000 });
    expect(window.record(0)).toBe(false);
    expect(window.record(500)).toBe(false);
    expect(window.record(1200)).toBe(false);
    expect(window.count(1200)).toBe(2);
    expect(window.record(1300)).toBe(true);
    window.reset();
    expect(window.count(1300)).toBe(0);
    expect(window.record(1400)).toBe(false);
  });
});
