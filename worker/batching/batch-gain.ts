/**
 * Whether batching pays, measured per batch key (model and trailing shapes) from the runs themselves:
 * onnxruntime's time per row in merged runs against single runs. Measured on this project's 2-core CPU
 * machine (bench/batching.ts), stacking 8 rows made an MLP 512→2048→512 5.6–6.3× cheaper per row but
 * PP-OCRv4 recognition (48×320) 1.2–4× dearer per row, so a fixed switch would be wrong for one or the
 * other. Once merged runs have proved no cheaper per row, that key's jobs run alone for the rest of the
 * process's life.
 */

export type BatchGainOptions = {
  /** Runs of each kind seen before judging. */
  minSamples: number;
  /** Merged runs must cost under this fraction of a single run's time per row to keep batching. */
  keepBelow: number;
  /** Keys remembered (least recently updated forgotten first). */
  maxKeys: number;
};

export const DEFAULT_BATCH_GAIN: BatchGainOptions = { minSamples: 4, keepBelow: 0.9, maxKeys: 256 };

type Average = { perRow: number; count: number };
type Stats = { single: Average; merged: Average; pays: boolean };

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
    let stats = this.stats.get(key);
    if (stats === undefined) {
      stats = { single: { perRow: 0, count: 0 }, merged: { perRow: 0, count: 0 }, pays: true };
      if (this.stats.size >= this.options.maxKeys) this.stats.delete(this.stats.keys().next().value!);
    }
    this.stats.delete(key);
    this.stats.set(key, stats);
    update(merged ? stats.merged : stats.single, runMs / rows);
    const { single, merged: batched } = stats;
    if (stats.pays && single.count >= this.options.minSamples && batched.count >= this.options.minSamples) {
      stats.pays = batched.perRow < this.options.keepBelow * single.perRow;
    }
  }

  /** False once merged runs for `key` have proved no cheaper per row than single runs. */
  pays(key: string): boolean {
    return this.stats.get(key)?.pays ?? true;
  }

  /** What has been measured for `key` (ms per row), for logs. */
  measured(key: string): { singlePerRowMs: number; mergedPerRowMs: number } | null {
    const stats = this.stats.get(key);
    return stats === undefined ? null : { singlePerRowMs: stats.single.perRow, mergedPerRowMs: stats.merged.perRow };
  }
}
