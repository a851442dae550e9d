/** Reconnect delays for the marketplace link: the shared backoff with "equal jitter" (half of each delay random). */
import { type BackoffOptions, backoffDelay } from '../backoff.js';

export type { BackoffOptions } from '../backoff.js';

/** The defaults: 0.5 s, doubling, at most 30 s, half of each delay random. */
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, factor: 2, maxMs: 30_000, jitter: 0.5 };

/** The delay before reconnect attempt `attempt` (0 for the first retry). */
export function reconnectDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  return backoffDelay(attempt, options, random());
}
