/**
 * When to start a crashed worker again: exponential backoff with jitter between attempts, and a circuit
 * breaker that stops restarting for a cool-down after too many crashes in a window. Pure: the clock and
 * the random source are parameters.
 */

export type BackoffOptions = {
  /** Delay before the first restart. */
  baseMs: number;
  /** Multiplier per further consecutive crash. */
  factor: number;
  /** Longest delay, before jitter. */
  maxMs: number;
  /** Fraction of the delay that is random (0 = none, 1 = anywhere from 0 to the full delay). */
  jitter: number;
};

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, factor: 2, maxMs: 30_000, jitter: 0.2 };

/** Milliseconds to wait before restart number `attempt` (0-based), given a random number in [0, 1). */
export function backoffDelay(attempt: number, options: BackoffOptions, random: number): number {
  const exponent = Math.max(0, Math.floor(attempt));
  const capped = Math.min(options.maxMs, options.baseMs * options.factor ** exponent);
  const jitter = Math.min(1, Math.max(0, options.jitter));
  const r = Math.min(1, Math.max(0, random));
  return Math.round(capped * (1 - jitter) + capped * jitter * r);
}

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
