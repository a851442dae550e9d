/** The two timing loops every path uses: one call after another, and N calls kept in flight. */
import { nowMs } from './stats.js';

/** How long a measurement runs: until `ms` have passed, but at least `minRuns` and at most `maxRuns` calls. */
export type Budget = { ms: number; minRuns: number; maxRuns: number };

/** Calls `once` one after another within the budget; returns each call's milliseconds. */
export async function sequentialRuns(once: () => Promise<void>, budget: Budget): Promise<number[]> {
  const samples: number[] = [];
  const start = nowMs();
  while (samples.length < budget.maxRuns && (samples.length < budget.minRuns || nowMs() - start < budget.ms)) {
    const t = nowMs();
    await once();
    samples.push(nowMs() - t);
  }
  return samples;
}

/** What a throughput measurement saw: calls finished and the time they took together. */
export type Burst = { calls: number; elapsedMs: number };

/** Keeps `lanes` calls of `once` in flight until the budget is spent, then waits for the last to finish. */
export async function concurrentRuns(once: () => Promise<void>, lanes: number, budget: Budget): Promise<Burst> {
  let issued = 0;
  const start = nowMs();
  const more = () => issued < budget.maxRuns && (issued < budget.minRuns || nowMs() - start < budget.ms);
  async function lane(): Promise<void> {
    while (more()) {
      issued++;
      await once();
    }
  }
  await Promise.all(Array.from({ length: lanes }, lane));
  return { calls: issued, elapsedMs: nowMs() - start };
}
