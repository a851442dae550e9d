/**
 * Fits a CPU session's intra-op threads to its model. A model that computes in well under a millisecond
 * (Silero VAD: about 0.1 ms here) gains nothing from a second thread, and that thread spins on a core
 * the worker's control thread and the provider need for every job. So after a model's first runs the
 * engine re-makes a session whose median run is under SMALL_RUN_MS with one thread. Measured on this
 * 2-core machine through the whole worker path, three alternating runs each: VAD with 8 jobs in flight
 * went from 2,390–2,490 to 3,750–4,240 jobs/s (p99 latency 5.2–6.1 → 3.7–4.0 ms), and its p50 latency
 * one job at a time did not move (+0.51–0.54 ms over raw either way).
 */

/** Runs not counted: the first runs of a session are slow while onnxruntime allocates. */
const WARMUP_RUNS = 4;
/** Runs measured before deciding. */
export const FIT_SAMPLE_RUNS = 16;
/** Below this median run time a session gets one intra-op thread. */
export const SMALL_RUN_MS = 1;

/** One session's decision: measure its first single-row runs, then decide once. */
export class ThreadFit {
  private readonly samples: number[] = [];
  private decided = false;

  /** Records one run's time; true exactly once, when the session should be re-made with one thread. */
  record(runMs: number): boolean {
    if (this.decided) return false;
    this.samples.push(runMs);
    if (this.samples.length < WARMUP_RUNS + FIT_SAMPLE_RUNS) return false;
    this.decided = true;
    const measured = this.samples.slice(WARMUP_RUNS).sort((a, b) => a - b);
    return measured[Math.floor(measured.length / 2)]! < SMALL_RUN_MS;
  }
}
