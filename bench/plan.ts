/** How long each measurement runs: the full bench (about three minutes on 2 cores) or `--quick`. */
import type { Budget } from './loops.js';

/** Iteration counts and time budgets for one bench run. */
export type BenchPlan = {
  quick: boolean;
  /** Repeats of each raw session creation after the first. */
  creates: number;
  /** Untimed runs before anything is timed on a path. */
  warm: Budget;
  /** Latency blocks alternate raw and worker this many times; samples are pooled. */
  latencyRounds: number;
  latency: Budget;
  /** Throughput points alternate raw, batching off and batching on this many times; the median is kept. */
  throughputRounds: number;
  throughput: Budget;
  batches: readonly number[];
  /** Time per step in the overhead breakdown. */
  overheadMs: number;
};

/** The full bench. */
export const FULL_PLAN: BenchPlan = {
  quick: false,
  creates: 5,
  warm: { ms: 300, minRuns: 5, maxRuns: 1000 },
  latencyRounds: 3,
  latency: { ms: 500, minRuns: 20, maxRuns: 3000 },
  throughputRounds: 2,
  throughput: { ms: 700, minRuns: 2, maxRuns: 20_000 },
  batches: [1, 8, 32],
  overheadMs: 100,
};

/** A smoke run: every path and figure once, with tiny budgets (figures are not meaningful). */
export const QUICK_PLAN: BenchPlan = {
  quick: true,
  creates: 1,
  warm: { ms: 0, minRuns: 2, maxRuns: 2 },
  latencyRounds: 1,
  latency: { ms: 0, minRuns: 5, maxRuns: 5 },
  throughputRounds: 1,
  throughput: { ms: 0, minRuns: 1, maxRuns: 64 },
  batches: [1, 8, 32],
  overheadMs: 1,
};
