/** Reconnect delays grow exponentially with equal jitter and a cap; only wss://, or ws:// to this machine, is dialled. */
import { describe, expect, it } from 'vitest';
import { reconnectDelay } from '../../../provider/marketplace/backoff.js';
import { checkDialUrl } from '../../../provider/marketplace/dial-url.js';

describe('reconnect delay', () => {
  const options = { baseMs: 500, factor: 2, maxMs: 30_000, jitter: 0.5 };
  it('doubles per attempt up to the cap, drawing from the upper half', () => {
    expect([0, 1, 2, 3, 10].map((a) => reconnectDelay(a, options, () => 1))).toEqual([500, 1000, 2000, 4000, 30_000]);
    expect([0, 1, 2, 3, 10].map((a) => reconnectDelay(a, options, () => 0))).toEqual([250, 500, 1000, 2000, 15_000]);
  });
  it('spreads a crowd of providers over the interval', () => {
    const draws = Array.from({ length: 1000 }, () => reconnectDelay(4, options));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(4000);
    expect(Math.max(...draws)).toBeLessThanOrEqual(8000);
    expect(new Set(draws).size).toBeGreaterThan(100);
  });
});

describe('dial URL', () => {
  it.each(['wss://coordinator.example/provider', 'ws://127.0.0.1:8080/provider', 'ws://localhost/provider', 'ws://[::1]:9/provider'])('allows %s', (url) => {
    expect(checkDialUrl(url).ok).toBe(true);
  });
  it.each(['ws://coordinator.example/provider', 'ws://10.0.0.2/provider', 'http://127.0.0.1/provider', 'ws://127.0.0.1.evil.example/', 'not a url'])('refuses %s', (url) => {
    expect(checkDialUrl(url).ok).toBe(false);
  });
});
