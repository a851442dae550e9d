/** Throughput at one batch size: raw, the worker with batching off and with it on, in alternating rounds. */
import type { Tensor } from '../common/tensor.js';
import type { BenchPlan } from './plan.js';
import type { RawProcess } from './raw-process.js';
import type { ThroughputPoint } from './report-types.js';
import { median, ratio } from './stats.js';
import type { WorkerPath } from './worker-path.js';

/** The three paths a point compares. */
export type Paths = { raw: RawProcess; off: WorkerPath; on: WorkerPath };

/**
 * Measures `batch`: raw runs `batch` stacked rows per run (one row at batch 1), each worker keeps
 * `batch` single-row jobs in flight. `rawOneRow` is raw's batch-1 figure (NaN while measuring batch 1).
 */
export async function measurePoint(batch: number, paths: Paths, one: Tensor[], plan: BenchPlan, rawOneRow: number): Promise<ThroughputPoint> {
  const rounds = { raw: [] as number[], workerOff: [] as number[], workerOn: [] as number[] };
  const meanBatches: number[] = [];
  const ortMs = { off: [] as number[], on: [] as number[] };
  const budget = { ...plan.throughput, minRuns: Math.max(plan.throughput.minRuns, batch) };
  // One untimed wave first: a new number in flight means new merged shapes for the batching worker.
  await paths.off.throughput(one, batch, { ms: 0, minRuns: batch, maxRuns: batch });
  await paths.on.throughput(one, batch, { ms: 0, minRuns: batch, maxRuns: batch });
  const steps = [
    async () => {
      const r = await paths.raw.throughput({ rows: batch, budget: plan.throughput });
      rounds.raw.push((r.rows * r.runs * 1000) / r.elapsedMs);
    },
    async () => {
      const o = await paths.off.throughput(one, batch, budget);
      rounds.workerOff.push((o.calls * 1000) / o.elapsedMs);
      ortMs.off.push(o.runMsPerJob);
    },
    async () => {
      const b = await paths.on.throughput(one, batch, budget);
      rounds.workerOn.push((b.calls * 1000) / b.elapsedMs);
      ortMs.on.push(b.runMsPerJob);
      meanBatches.push(b.meanBatch);
    },
  ];
  for (let round = 0; round < plan.throughputRounds; round++) {
    // Odd rounds go in reverse order, so no path always runs first (or right after another).
    for (const step of round % 2 === 0 ? steps : [...steps].reverse()) await step();
  }
  const raw = median(rounds.raw);
  const oneRow = batch === 1 ? raw : rawOneRow;
  const workerOff = median(rounds.workerOff);
  const workerOn = median(rounds.workerOn);
  return {
    batch,
    raw,
    rawOneRow: oneRow,
    workerOff,
    workerOn,
    workerOnMeanBatch: median(meanBatches),
    ortMsPerJob: { raw: 1000 / raw, workerOff: median(ortMs.off), workerOn: median(ortMs.on) },
    offVsRawOneRow: ratio(workerOff, oneRow),
    onVsRaw: ratio(workerOn, raw),
    batchingGain: ratio(workerOn, workerOff),
    rounds,
  };
}
