/**
 * `run` in the control thread: early validation against the model's known signature, dynamic batching
 * when it is on and the model allows it, and the result every job gets (outputs, sha256, fingerprint,
 * timings, provider, device, batch size). Hashing happens here so the engine thread goes straight on to
 * the next run.
 */
import type { Tensor } from '../../common/tensor.js';
import type { RunParams, RunResult, WorkerConfig } from '../../common/worker-protocol.js';
import { BatchGain } from '../batching/batch-gain.js';
import { Batcher } from '../batching/batcher.js';
import { batchKeyOf, mergeInputs, rowsOf, splitOutputs } from '../batching/batch-tensors.js';
import type { ModelSignature } from '../inference/model-signature.js';
import { totalBytes } from '../inference/tensor-bytes.js';
import { digestOutputs } from '../inference/output-digest.js';
import { validateRunInputs } from '../inference/validate-inputs.js';
import { WorkerFailure } from '../inference/worker-error.js';
import type { EngineLink } from './engine-link.js';
import type { EngineRunValue } from './engine-protocol.js';
import { detachedCopies, transferablesOf } from './transferables.js';

/** Signatures remembered for early validation and batching decisions (models are content-addressed). */
const MAX_SIGNATURES = 256;

type Job = {
  params: RunParams;
  receivedAt: number;
  key: string;
  rows: number;
  resolve: (result: RunResult) => void;
  reject: (error: unknown) => void;
};

/** Runs jobs for the controller, batching them where that is on and pays. */
export class JobRunner {
  private readonly signatures = new Map<string, ModelSignature>();
  private readonly batcher: Batcher<Job> | null;
  private readonly gain = new BatchGain();

  constructor(
    private readonly engine: EngineLink,
    private readonly config: WorkerConfig,
    private readonly log: (msg: string, fields: Record<string, unknown>) => void = () => {},
  ) {
    const { enabled, maxBatch, maxDelayMs } = config.batching;
    this.batcher =
      enabled && maxBatch > 1 ? new Batcher<Job>({ maxBatch, maxDelayMs, engineIdle: () => !engine.busy }, (jobs) => void this.runGroup(jobs)) : null;
  }

  /** Remembers a model's signature (from a load or a run). */
  learn(sha256: string, signature: ModelSignature): void {
    this.signatures.delete(sha256);
    this.signatures.set(sha256, signature);
    if (this.signatures.size > MAX_SIGNATURES) this.signatures.delete(this.signatures.keys().next().value!);
  }

  /** Runs one job, alone or merged with concurrent jobs for the same model. */
  run(params: RunParams, receivedAt: number): Promise<RunResult> {
    const signature = this.signatures.get(params.model.sha256);
    if (signature !== undefined) {
      const problem = validateRunInputs(params.inputs, params.outputs, signature, this.config.limits);
      if (problem !== null) return Promise.reject(new WorkerFailure(problem.code, problem.message));
      const key = this.batcher === null ? null : batchKeyOf(params, signature);
      if (key !== null) {
        const rows = rowsOf(params.inputs)!;
        if (this.gain.shouldMerge(key)) return new Promise<RunResult>((resolve, reject) => this.batcher!.submit(key, { params, receivedAt, key, rows, resolve, reject }, rows));
        return this.runAlone(params, receivedAt, { key, rows });
      }
    }
    return this.runAlone(params, receivedAt, null);
  }

  /** Hands every waiting batch to the engine now. */
  flush(): void {
    this.batcher?.flushAll();
  }

  /** Runs one job by itself; `batch` says which batch key it would have had, to measure the gain. */
  private async runAlone(params: RunParams, receivedAt: number, batch: { key: string; rows: number } | null): Promise<RunResult> {
    const value = await this.callRun(params.model.sha256, params.inputs, params.outputs, this.config.limits.maxOutputBytes);
    if (batch !== null) this.gain.record(batch.key, batch.rows, value.runMs, false);
    return this.result(value.outputs, value, receivedAt, 1);
  }

  private async callRun(sha256: string, inputs: readonly Tensor[], outputs: string[] | undefined, maxOutputBytes: number): Promise<EngineRunValue> {
    // Inputs arrive as views into the IPC message's buffer; give each its own buffer to transfer.
    const own = detachedCopies(inputs);
    try {
      const value = await this.engine.call('run', { sha256, inputs: own, outputs, maxOutputBytes }, transferablesOf(own));
      this.learn(sha256, value.signature);
      return value;
    } finally {
      this.batcher?.engineSettled();
    }
  }

  private async runGroup(jobs: Job[]): Promise<void> {
    if (jobs.length === 1) {
      const [job] = jobs as [Job];
      this.runAlone(job.params, job.receivedAt, job).then(job.resolve, job.reject);
      return;
    }
    const first = jobs[0]!.params;
    let split: Tensor[][] | null = null;
    let value: EngineRunValue | null = null;
    try {
      const merged = mergeInputs(jobs.map((j) => j.params.inputs));
      value = await this.callRun(first.model.sha256, merged, first.outputs, this.config.limits.maxOutputBytes * jobs.length);
      split = splitOutputs(value.outputs, jobs.map((j) => j.rows));
    } catch {
      // Whatever failed for the batch is retried per job, so batching never fails a job on its own.
    }
    if (split === null || value === null) {
      for (const job of jobs) this.runAlone(job.params, job.receivedAt, null).then(job.resolve, job.reject);
      return;
    }
    const key = jobs[0]!.key;
    const paid = this.gain.pays(key);
    this.gain.record(key, jobs.reduce((sum, j) => sum + j.rows, 0), value.runMs, true);
    if (paid && !this.gain.pays(key)) this.log('batching does not pay for this model and shape; its jobs now run alone until the next check', { sha256: first.model.sha256, ...this.gain.measured(key) });
    jobs.forEach((job, i) => {
      const outputs = split[i]!;
      const bytes = totalBytes(outputs);
      if (bytes > this.config.limits.maxOutputBytes) {
        job.reject(new WorkerFailure('output_too_large', `The outputs are ${bytes} bytes; the limit is ${this.config.limits.maxOutputBytes}.`));
      } else job.resolve(this.result(outputs, value, job.receivedAt, jobs.length));
    });
  }

  private result(outputs: Tensor[], value: EngineRunValue, receivedAt: number, batchSize: number): RunResult {
    return {
      outputs,
      ...digestOutputs(outputs),
      timings: { queueMs: Math.max(0, value.startedAt - receivedAt), loadMs: value.loadMs, runMs: value.runMs },
      executionProvider: value.provider,
      deviceId: this.config.deviceId,
      batchSize,
    };
  }
}
