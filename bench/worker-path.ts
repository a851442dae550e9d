/**
 * The full path a marketplace job takes on a provider: WorkerPool → WorkerSupervisor → the sandboxed
 * worker process (bubblewrap, Node permissions, prlimit, env allowlist) → its engine thread → onnxruntime,
 * and the result back with its sha256 and fingerprint. One single-row job per call, as jobs arrive.
 */
import { basename } from 'node:path';
import type { Tensor } from '../common/tensor.js';
import type { ExecutionProviderName, RunResult, SandboxReport, WorkerConfig } from '../common/worker-protocol.js';
import type { Logger } from '../provider/logger.js';
import { workerAppPaths } from '../provider/worker/app-paths.js';
import type { WorkerLauncher } from '../provider/worker/launcher.js';
import type { WorkerSupervisor } from '../provider/worker/supervisor.js';
import { WorkerPool } from '../provider/worker/worker-pool.js';
import { type Budget, type Burst, concurrentRuns, sequentialRuns } from './loops.js';
import { peakRssBytes, workerNodePid } from './proc-memory.js';
import { nowMs } from './stats.js';

/** How long one job may take before the supervisor kills the worker (generous: a bench, not a deadline test). */
const JOB_DEADLINE_MS = 120_000;

/** From `pool.start()` to the first job's result, with the model not yet loaded. */
export type ColdStart = { toReadyMs: number; toFirstResultMs: number; workerLoadMs: number; executionProvider: ExecutionProviderName };

/** One running worker for one model, driven through its supervisor. */
export class WorkerPath {
  private jobs = 0;
  private batched = 0;
  /** Each finished job's share of onnxruntime time (its run's runMs ÷ rows merged into it). */
  private runMs: number[] = [];

  private constructor(
    private readonly pool: WorkerPool,
    private readonly supervisor: WorkerSupervisor,
    private readonly sha256: string,
  ) {}

  /** Starts a worker with `config` and runs its first job; the cold start is timed from before the spawn. */
  static async start(options: { appRoot: string; config: WorkerConfig; launcher: WorkerLauncher; logger: Logger; sha256: string; inputs: Tensor[] }): Promise<{ path: WorkerPath; cold: ColdStart; first: RunResult }> {
    const pool = new WorkerPool({ appRoot: options.appRoot, configs: [options.config], launcher: options.launcher, logger: options.logger });
    const started = nowMs();
    await pool.start();
    const ready = nowMs();
    const supervisor = pool.worker(options.config.deviceId)!;
    if (supervisor.status().state !== 'ready') {
      await pool.close();
      throw new Error(`the worker did not start (${supervisor.status().state}); run \`hearth gpu\` to see why`);
    }
    const path = new WorkerPath(pool, supervisor, options.sha256);
    const first = await path.run(options.inputs);
    const toFirstResultMs = nowMs() - started;
    return { path, first, cold: { toReadyMs: ready - started, toFirstResultMs, workerLoadMs: first.timings.loadMs, executionProvider: first.executionProvider } };
  }

  /** Runs one job and returns its result (throws on a failed job: a bench cannot go on without it). */
  async run(inputs: Tensor[]): Promise<RunResult> {
    const jobId = `bench-${++this.jobs}`;
    const result = await this.supervisor.run({ jobId, model: { sha256: this.sha256 }, inputs }, { deadlineMs: Date.now() + JOB_DEADLINE_MS });
    if (!result.ok) throw new Error(`job ${jobId} failed: ${result.error.code}: ${result.error.message}`);
    this.batched += result.value.batchSize;
    this.runMs.push(result.value.timings.runMs / result.value.batchSize);
    return result.value;
  }

  /** Single-row jobs one after another: each job's milliseconds seen from the provider, and inside onnxruntime. */
  async latency(inputs: Tensor[], budget: Budget): Promise<{ samplesMs: number[]; runMs: number[] }> {
    this.runMs = [];
    const samplesMs = await sequentialRuns(async () => void (await this.run(inputs)), budget);
    return { samplesMs, runMs: this.runMs };
  }

  /** `inFlight` single-row jobs kept in flight; also the mean batch they ran in and onnxruntime ms per job. */
  async throughput(inputs: Tensor[], inFlight: number, budget: Budget): Promise<Burst & { meanBatch: number; runMsPerJob: number }> {
    const jobsBefore = this.jobs;
    const batchedBefore = this.batched;
    this.runMs = [];
    const burst = await concurrentRuns(async () => void (await this.run(inputs)), inFlight, budget);
    const done = Math.max(1, this.jobs - jobsBefore);
    return { ...burst, meanBatch: (this.batched - batchedBefore) / done, runMsPerJob: this.runMs.reduce((a, b) => a + b, 0) / Math.max(1, this.runMs.length) };
  }

  /** The worker Node process's peak RSS (VmHWM), or null where /proc cannot tell. */
  peakRssBytes(): number | null {
    const wrapper = this.supervisor.status().pid;
    if (wrapper === null || process.platform !== 'linux') return null;
    const pid = workerNodePid(wrapper, basename(workerAppPaths('/').entry));
    return pid === null ? null : peakRssBytes(pid);
  }

  /** The sandbox layers in force around the worker. */
  sandbox(): SandboxReport | null {
    return this.supervisor.status().sandbox;
  }

  /** Closes the worker (shutdown, then kill after a grace). */
  close(): Promise<void> {
    return this.pool.close();
  }
}
