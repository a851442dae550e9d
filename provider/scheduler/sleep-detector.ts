/**
 * Headless suspend detection. Without Electron's powerMonitor nothing tells a process the machine slept,
 * but it shows afterwards: the monotonic clock (performance.now, CLOCK_MONOTONIC on Linux) stops while
 * the system is suspended and the wall clock does not. When the wall clock has run ahead of the
 * monotonic one by more than `thresholdMs` between two checks, the machine slept; the scheduler then
 * holds work back for `settleMs` while connections and devices come back.
 */

export type Clocks = { wall: () => number; monotonic: () => number };

export type SleepDetectorOptions = {
  clocks?: Clocks;
  /** A wall-clock lead beyond this means the machine slept (default 5 s: NTP steps are smaller). */
  thresholdMs?: number;
  /** How long after waking the node stays held back (default 10 s). */
  settleMs?: number;
};

/** Tells, at each check, whether the machine slept since the last check or is still settling after it. */
export class SleepDetector {
  private readonly clocks: Clocks;
  private lastWall: number;
  private lastMono: number;
  private settlingUntil = -Infinity;

  constructor(private readonly options: SleepDetectorOptions = {}) {
    this.clocks = options.clocks ?? { wall: Date.now, monotonic: () => performance.now() };
    this.lastWall = this.clocks.wall();
    this.lastMono = this.clocks.monotonic();
  }

  /** Checks the clocks; true while the machine is asleep-then-settling (from a detected wake for `settleMs`). */
  check(): boolean {
    const wall = this.clocks.wall();
    const mono = this.clocks.monotonic();
    const lead = wall - this.lastWall - (mono - this.lastMono);
    this.lastWall = wall;
    this.lastMono = mono;
    if (lead > (this.options.thresholdMs ?? 5000)) this.settlingUntil = mono + (this.options.settleMs ?? 10_000);
    return mono < this.settlingUntil;
  }
}
