/**
 * Fits a CPU session's intra-op threads to its model. A model that computes in well under a millisecond
 * (Silero VAD: about 0.1 ms here) gains nothing from a second thread and pays on every run for waking
 * it, more so now that the worker's threads do not spin (session-options.ts): measured on this 2-core
 * machine, VAD's p50 was 0.13 ms with one thread against 0.15–0.20 ms with two idle ones. So after a
 * model's first runs the engine re-makes a session whose median run is under SMALL_RUN_MS with one
 * thread, which also leaves the other core to the worker's control thread and the provider.
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
