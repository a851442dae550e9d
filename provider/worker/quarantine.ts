/**
 * Model hashes that crashed or timed out a worker too often. A quarantined model is refused before it
 * reaches any worker; one instance can be shared by the supervisors of every device.
 */

export type QuarantineOptions = {
  /** Crashes or timeouts that quarantine a model. */
  strikes: number;
  /** How long a quarantine lasts. */
  durationMs: number;
};

export const DEFAULT_QUARANTINE: QuarantineOptions = { strikes: 2, durationMs: 24 * 60 * 60 * 1000 };

/** Strikes per model hash, and the hashes refused until a time. */
export class Quarantine {
  private readonly strikes = new Map<string, number>();
  private readonly until = new Map<string, number>();

  constructor(private readonly options: QuarantineOptions = DEFAULT_QUARANTINE) {}

  /** Records one crash or timeout involving `sha256`; returns true when it is now quarantined. */
  strike(sha256: string, now: number): boolean {
    if (this.isQuarantined(sha256, now)) return true;
    const count = (this.strikes.get(sha256) ?? 0) + 1;
    if (count < this.options.strikes) {
      this.strikes.set(sha256, count);
      return false;
    }
    this.strikes.delete(sha256);
    this.until.set(sha256, now + this.options.durationMs);
    return true;
  }

  /** True while `sha256` is refused. */
  isQuarantined(sha256: string, now: number): boolean {
    const until = this.until.get(sha256);
    if (until === undefined) return false;
    if (now < until) return true;
    this.until.delete(sha256);
    return false;
  }

  /** The hashes refused at `now`, for the status. */
  list(now: number): string[] {
    return [...this.until.keys()].filter((sha256) => this.isQuarantined(sha256, now));
  }
}
