/**
 * Whether batching pays, measured per batch key (model and trailing shapes) from the runs themselves:
 * onnxruntime's time per row in merged runs against single runs. Measured on this project's 2-core CPU
 * machine (bench/batching.ts), stacking 8 rows made an MLP 512→2048→512 5.6–6.3× cheaper per row but
 * PP-OCRv4 recognition (48×320) 1.2–4× dearer per row, so a fixed switch would be wrong for one or the
 * other.
 *
 * Three things keep an early, unlucky verdict from sticking (the bench saw the MLP, which pays 6–12×
 * once warm, switched off for good after a few small, slow first merges):
 * - the first run of each merged row count, and the first single run, are warm-up (onnxruntime plans
 *   memory and grows its arena for every new shape) and are not counted;
 * - when merged runs have been measured but single runs have not (a worker under sustained load merges
 *   everything), the next few jobs are sent alone to measure the baseline;
 * - every `recheckEvery` counted runs the verdict is opened again: a key that stopped batching tries
 *   merging again, and a key that batches re-measures its single-run baseline. Each trial that confirms
 *   "does not pay" doubles the wait before the next (up to 32×), since a trial costs a few merged runs
 *   that are dearer per row (PP-OCRv4 recognition: about 1.3× per row at 8–32 rows).
 */

export type BatchGainOptions = {
  /** Counted runs of each kind seen before judging. */
  minSamples: number;
  /** Merged runs must cost under this fraction of a single run's time per row to keep batching. */
  keepBelow: number;
  /** Keys remembered (least recently updated forgotten first). */
  maxKeys: number;
  /** Counted runs after which the verdict is measured again. */
  recheckEvery: number;
};

export const DEFAULT_BATCH_GAIN: BatchGainOptions = { minSamples: 4, keepBelow: 0.9, maxKeys: 256, recheckEvery: 500 };

type Average = { perRow: number; count: number };
type Stats = {
  single: Average;
  merged: Average;
  pays: boolean;
  singleWarm: boolean;
  /** Row counts of merged runs seen at least once (their first run was warm-up). */
  mergedSizes: Set<number>;
  /** Jobs sent alone to measure single runs, not yet recorded. */
  singlesAsked: number;
  sinceCheck: number;
  /** Counted runs between checks for this key (grows while trials keep confirming "does not pay"). */
  checkEvery: number;
  /** Merging was switched back on to test it again; the next verdict settles the trial. */
  trial: boolean;
};

/** How far the wait between failed trials grows, as a multiple of recheckEvery. */
const MAX_BACKOFF = 32;

/** Weight of the newest sample in the running averages. */
const ALPHA = 0.3;

function update(average: Average, perRow: number): void {
  average.perRow = average.count === 0 ? perRow : average.perRow + ALPHA * (perRow - average.perRow);
  average.count++;
}

/** Per-key running averages of time per row, single against merged, and the verdict they give. */
export class BatchGain {
  private readonly stats = new Map<string, Stats>();

  constructor(private readonly options: BatchGainOptions = DEFAULT_BATCH_GAIN) {}

  /** Records one run of `rows` rows that took `runMs` in onnxruntime, merged from several jobs or not. */
  record(key: string, rows: number, runMs: number, merged: boolean): void {
    if (rows < 1 || !Number.isFinite(runMs)) return;
    const stats = this.touch(key);
    if (merged) {
      if (!stats.mergedSizes.has(rows)) {
        stats.mergedSizes.add(rows);
        return;
      }
      update(stats.merged, runMs / rows);
    } else {
      stats.singlesAsked = Math.max(0, stats.singlesAsked - 1);
      if (!stats.singleWarm) {
        stats.singleWarm = true;
        return;
      }
      update(stats.single, runMs / rows);
    }
    const { minSamples, keepBelow, recheckEvery } = this.options;
    if (stats.single.count >= minSamples && stats.merged.count >= minSamples) {
      stats.pays = stats.merged.perRow < keepBelow * stats.single.perRow;
      if (stats.trial) {
        stats.trial = false;
        stats.checkEvery = stats.pays ? recheckEvery : Math.min(stats.checkEvery * 2, recheckEvery * MAX_BACKOFF);
      }
    }
    if (++stats.sinceCheck >= stats.checkEvery) {
      stats.sinceCheck = 0;
      stats.singlesAsked = 0;
      // Open the verdict again by forgetting the side that has stopped getting fresh samples.
      if (stats.pays) stats.single.count = 0;
      else {
        stats.merged.count = 0;
        stats.pays = true;
        stats.trial = true;
      }
    }
  }

  /** False once merged runs for `key` have proved no cheaper per row than single runs. */
  pays(key: string): boolean {
    return this.stats.get(key)?.pays ?? true;
  }

  /**
   * Whether the next job for `key` should wait to be merged: false when batching does not pay, and for
   * the few jobs sent alone to measure single runs when only merged runs have been measured.
   */
  shouldMerge(key: string): boolean {
    const stats = this.stats.get(key);
    if (stats === undefined) return true;
    if (!stats.pays) return false;
    const needed = this.options.minSamples + (stats.singleWarm ? 0 : 1) - stats.single.count;
    if (stats.merged.count >= this.options.minSamples && stats.singlesAsked < needed) {
      stats.singlesAsked++;
      return false;
    }
    return true;
  }

  /** What has been measured for `key` (ms per row), for logs. */
  measured(key: string): { singlePerRowMs: number; mergedPerRowMs: number } | null {
    const stats = this.stats.get(key);
    return stats === undefined ? null : { singlePerRowMs: stats.single.perRow, mergedPerRowMs: stats.merged.perRow };
  }

  private touch(key: string): Stats {
    let stats = this.stats.get(key);
    if (stats === undefined) {
      stats = {
        single: { perRow: 0, count: 0 },
        merged: { perRow: 0, count: 0 },
        pays: true,
        singleWarm: false,
        mergedSizes: new Set(),
        singlesAsked: 0,
        sinceCheck: 0,
        checkEvery: this.options.recheckEvery,
        trial: false,
      };
      if (this.stats.size >= this.options.maxKeys) this.stats.delete(this.stats.keys().next().value!);
    }
    this.stats.delete(key);
    this.stats.set(key, stats);
    return stats;
  }
}
