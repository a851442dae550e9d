/** Reconnect delays: exponential growth with "equal jitter", so a crowd of providers does not reconnect in step. */

export type BackoffOptions = {
  /** Delay before the first retry, before jitter. */
  baseMs: number;
  factor: number;
  maxMs: number;
  /** Share of each delay that is random: 0.5 draws from [d/2, d]. */
  jitter: number;
};

/** The defaults: 0.5 s, doubling, at most 30 s, half of each delay random. */
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, factor: 2, maxMs: 30_000, jitter: 0.5 };

/** The delay before reconnect attempt `attempt` (0 for the first retry). */
export function reconnectDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * options.factor ** Math.max(0, attempt));
  return Math.round(ceiling * (1 - options.jitter) + ceiling * options.jitter * random());
}
