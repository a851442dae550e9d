/**
 * Exponential backoff with jitter, shared by worker restarts and marketplace reconnects, so a crowd of
 * workers or providers does not retry in step. Pure: the random number is a parameter.
 */

export type BackoffOptions = {
  /** Delay before the first retry, before jitter. */
  baseMs: number;
  /** Multiplier per further consecutive attempt. */
  factor: number;
  /** Longest delay, before jitter. */
  maxMs: number;
  /** Fraction of the delay that is random (0 = none; 0.5 draws from [d/2, d]; 1 = anywhere in [0, d]). */
  jitter: number;
};

/** Milliseconds to wait before retry number `attempt` (0-based), given a random number in [0, 1). */
export function backoffDelay(attempt: number, options: BackoffOptions, random: number): number {
  const exponent = Math.max(0, Math.floor(attempt));
  const capped = Math.min(options.maxMs, options.baseMs * options.factor ** exponent);
  const jitter = Math.min(1, Math.max(0, options.jitter));
  const r = Math.min(1, Math.max(0, random));
  return Math.round(capped * (1 - jitter) + capped * jitter * r);
}
