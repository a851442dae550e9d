/**
 * When to start a crashed worker again: exponential backoff with jitter between attempts, and a circuit
 * breaker that stops restarting for a cool-down after too many crashes in a window. Pure: the clock and
 * the random source are parameters.
 */

import type { BackoffOptions } from '../backoff.js';

export type { BackoffOptions } from '../backoff.js';
export { backoffDelay } from '../backoff.js';

/** Worker restarts: 0.5 s doubling to 30 s, a fifth of each delay random. */
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, factor: 2, maxMs: 30_000, jitter: 0.2 };

export type CircuitOptions = {
  /** Crashes within `windowMs` that open the circuit. */
  maxCrashes: number;
  windowMs: number;
  /** How long the circuit stays open before one more start is tried. */
  coolDownMs: number;
};

export const DEFAULT_CIRCUIT: CircuitOptions = { maxCrashes: 5, windowMs: 60_000, coolDownMs: 60_000 };

/** Counts crashes in a sliding window and says when the circuit opens. */
export class CrashWindow {
  private crashes: number[] = [];

  constructor(private readonly options: CircuitOptions) {}

  /** Records a crash at `now`; returns true when this crash opens the circuit. */
  record(now: number): boolean {
    this.crashes = this.crashes.filter((at) => now - at < this.options.windowMs);
    this.crashes.push(now);
    return this.crashes.length >= this.options.maxCrashes;
  }

  /** Crashes still inside the window at `now`. */
  count(now: number): number {
    return this.crashes.filter((at) => now - at < this.options.windowMs).length;
  }

  /** Forgets every crash (after a cool-down). */
  reset(): void {
    this.crashes = [];
  }
}
