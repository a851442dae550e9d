/**
 * One model on one execution provider, raw and through the worker in the same run: the raw child and
 * two workers (batching off and on) are all started, then each measurement alternates between them
 * round by round (in reverse order every other round), so a slow spell on this machine lands on every
 * path instead of one. The batching worker is started afresh for each batch size above 1.
 */
import type { ExecutionProviderName, WorkerConfig } from '../common/worker-protocol.js';
import type { Logger } from '../provider/logger.js';
import type { WorkerLauncher } from '../provider/worker/launcher.js';
import type { BenchCase } from './cases.js';
import { tensorsAt } from './inputs.js';
import { sequentialRuns } from './loops.js';
import { measureOverhead } from './overhead.js';
import type { BenchPlan } from './plan.js';
import { RawProcess } from './raw-process.js';
import type { CaseReport, Latency, ThroughputPoint } from './report-types.js';
import { median, percentile, ratio } from './stats.js';
import { measurePoint } from './throughput-point.js';
import { WorkerPath } from './worker-path.js';

/** What every case shares: the built app, the sandboxed launcher, the configs, the cached model. */
export type CaseContext = {
  appRoot: string;
  /** The built bench entry (started again with `--raw-child`). */
  benchEntry: string;
  launcher: WorkerLauncher;
  logger: Logger;
  plan: BenchPlan;
  provider: ExecutionProviderName;
  configOff: WorkerConfig;
  configOn: WorkerConfig;
  /** Where the model cache keeps `sha256`. */
  modelPath: string;
  sha256: string;
};

const latencyOf = (samples: number[]): Latency => ({ p50Ms: percentile(samples, 50), p99Ms: percentile(samples, 99), runs: samples.length });

/** Measures `c` raw and through the worker; every process it starts is ended before it returns. */
export async function benchCase(c: BenchCase, ctx: CaseContext): Promise<CaseReport> {
  const { plan } = ctx;
  const one = tensorsAt(c.inputs, 1);
  const raw = RawProcess.start(ctx.benchEntry);
  const opened: { close(): Promise<void> }[] = [raw];
  try {
    const loaded = await raw.load({ modelPath: ctx.modelPath, inputs: c.inputs, provider: ctx.provider, threads: ctx.configOff.intraOpNumThreads, creates: plan.creates });
    const start = (config: WorkerConfig) => WorkerPath.start({ appRoot: ctx.appRoot, config, launcher: ctx.launcher, logger: ctx.logger, sha256: ctx.sha256, inputs: one });
    const off = await start(ctx.configOff);
    opened.push(off.path);
    const on = await start(ctx.configOn);
    opened.push(on.path);

    await raw.latency({ budget: plan.warm });
    await off.path.latency(one, plan.warm);
    await on.path.latency(one, plan.warm);
    // Early, while this process's heap is small; later its GC makes each step's time swing.
    const overhead = measureOverhead(one, off.first, plan.overheadMs);

    const rawLatency: number[] = [];
    const workerLatency: number[] = [];
    const workerRunMs: number[] = [];
    const workerOnLatency: number[] = [];
    // The batching worker takes part too: it reports its own latency, and is as warm as the other when
    // throughput starts (JIT and caches: a worker's jobs get faster over its first few thousand).
    const latencySteps = [
      async () => void rawLatency.push(...(await raw.latency({ budget: plan.latency })).samplesMs),
      async () => {
        const worker = await off.path.latency(one, plan.latency);
        workerLatency.push(...worker.samplesMs);
        workerRunMs.push(...worker.runMs);
      },
      async () => void workerOnLatency.push(...(await on.path.latency(one, plan.latency)).samplesMs),
    ];
    for (let round = 0; round < plan.latencyRounds; round++) {
      for (const step of round % 2 === 0 ? latencySteps : [...latencySteps].reverse()) await step();
    }

    // The channel alone: this job's call message there and its reply message back, to a process that does nothing else.
    await raw.setEcho({ type: 'reply', id: 1, reply: { ok: true, value: off.first } });
    const call = { type: 'call', id: 1, method: 'run', params: { jobId: 'bench-echo', model: { sha256: ctx.sha256 }, inputs: one } };
    await sequentialRuns(() => raw.echo(call), plan.warm);
    const channel = await sequentialRuns(() => raw.echo(call), plan.latency);

    const throughput: ThroughputPoint[] = [];
    let rss = { rawBatch1: 0, workerOffBatch1: null as number | null };
    let onPath = on.path;
    for (const batch of plan.batches) {
      if (batch > 1) {
        // A fresh batching worker per batch size: its gain check re-opens a verdict only every 500 runs,
        // so a worker that gave up merging at one load would say little about the next.
        await onPath.close();
        onPath = (await start(ctx.configOn)).path;
        opened.push(onPath);
        await onPath.latency(one, plan.warm);
        await onPath.throughput(one, batch, plan.throughput);
      }
      const point = await measurePoint(batch, { raw, off: off.path, on: onPath }, one, plan, throughput[0]?.raw ?? Number.NaN);
      throughput.push(point);
      if (batch === 1) rss = { rawBatch1: (await raw.rss()).maxRssBytes, workerOffBatch1: off.path.peakRssBytes() };
    }

    const rawPeak = (await raw.rss()).maxRssBytes;
    const workerOnPeak = onPath.peakRssBytes();
    const createMedian = median(loaded.createMs.length > 0 ? loaded.createMs : [loaded.firstCreateMs]);
    const meanCold = (off.cold.toFirstResultMs + on.cold.toFirstResultMs) / 2;
    const meanAfterReady = meanCold - (off.cold.toReadyMs + on.cold.toReadyMs) / 2;
    const rawP = latencyOf(rawLatency);
    const workerP = latencyOf(workerLatency);
    return {
      id: c.id,
      label: c.label,
      source: c.source,
      provider: ctx.provider,
      unbatchable: c.unbatchable,
      sandbox: off.path.sandbox(),
      sessionCreate: { rawFirstMs: loaded.firstCreateMs, rawMedianMs: createMedian, rawSamplesMs: loaded.createMs },
      coldStart: {
        workerOff: off.cold,
        workerOn: on.cold,
        meanToFirstResultMs: meanCold,
        vsRawCreate: ratio(meanCold, createMedian),
        meanReadyToFirstResultMs: meanAfterReady,
        readyToFirstResultVsRawCreate: ratio(meanAfterReady, createMedian),
      },
      latency: { raw: rawP, worker: workerP, workerOn: latencyOf(workerOnLatency), workerOrt: latencyOf(workerRunMs), channel: latencyOf(channel), addedP50Ms: workerP.p50Ms - rawP.p50Ms, addedP99Ms: workerP.p99Ms - rawP.p99Ms, p50Ratio: ratio(workerP.p50Ms, rawP.p50Ms) },
      throughput,
      peakRss: {
        ...rss,
        raw: rawPeak,
        workerOff: off.path.peakRssBytes(),
        workerOn: workerOnPeak,
        batch1Ratio: ratio(rss.workerOffBatch1, rss.rawBatch1),
        peakRatio: ratio(workerOnPeak, rawPeak),
      },
      overhead,
    };
  } finally {
    for (const handle of opened.reverse()) await handle.close();
  }
}
