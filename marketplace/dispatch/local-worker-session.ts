/**
 * An in-process provider: a real WorkerPool with one sandboxed CPU worker in a scratch folder, its own
 * content-addressed model cache, and receipts like a remote provider's. It is what the embedded default
 * marketplace runs jobs on, and what lets the OIP server be tested end to end without a WebSocket.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { JobSpec, Receipt } from '../../common/marketplace-protocol.js';
import type { Tensor } from '../../common/tensor.js';
import type { WorkerConfig } from '../../common/worker-protocol.js';
import { ModelCacheError } from '../../provider/models/model-cache-error.js';
import { ModelCache } from '../../provider/models/model-cache.js';
import { createChildProcessLauncher } from '../../provider/worker/child-process-launcher.js';
import { isRetryable } from '../../provider/worker/supervisor-types.js';
import type { WorkerSupervisor } from '../../provider/worker/supervisor.js';
import { WorkerPool } from '../../provider/worker/worker-pool.js';
import { planWorkers } from '../../provider/worker/worker-plan.js';
import { fingerprintHash } from '../../common/wire/fingerprint-hash.js';
import type { ProviderOutcome, ProviderSession } from './provider-session.js';
import type { ReceiptSigner } from './receipt-signer.js';

/** The id an in-process session reports when it has no node key. */
export const LOCAL_WORKER_ID = '0x0000000000000000000000000000000000000001';

export type LocalWorkerSessionOptions = {
  /** The folder holding package.json, out/ (the built worker) and node_modules. */
  appRoot: string;
  logger: Logger;
  /** Where the worker's model cache and private folders go; a fresh temp folder (removed at close) by default. */
  scratchDir?: string;
  /** Jobs handed to the worker at once (it runs them one after another). */
  maxInFlight?: number;
  /** The model's bytes; by default downloaded from the job's model.url, as a remote provider would. */
  loadModel?: (model: JobSpec['model']) => Promise<Uint8Array>;
  receiptSigner?: ReceiptSigner;
  /** Changes to the planned CPU worker config (threads, limits). */
  worker?: Partial<Omit<WorkerConfig, 'deviceId' | 'modelCacheDir'>>;
  /** Size cap of the model cache. */
  maxModelCacheBytes?: number;
};

/** A ProviderSession over a local worker pool; close it to stop the worker and remove its scratch folder. */
export type LocalWorkerSession = ProviderSession & {
  /** The scratch folder. */
  readonly dir: string;
  close(): Promise<void>;
};

type Finish = (outcome: ProviderOutcome) => void;

class LocalSession implements LocalWorkerSession {
  readonly warmModels = new Set<string>();
  inFlight = 0;
  private seq = 0;
  private readonly finishers = new Map<string, Finish>();
  private readonly loads = new Map<string, Promise<void>>();

  constructor(
    readonly id: string,
    readonly dir: string,
    readonly maxInFlight: number,
    private readonly pool: WorkerPool,
    private readonly supervisor: WorkerSupervisor,
    private readonly cache: ModelCache,
    private readonly options: LocalWorkerSessionOptions,
    private readonly removeDir: boolean,
  ) {
    // A restarted worker has no sessions loaded.
    supervisor.on('crashed', () => this.warmModels.clear());
  }

  get paused(): boolean {
    return this.supervisor.status().state !== 'ready';
  }

  run(job: JobSpec, inputs: Tensor[]): Promise<ProviderOutcome> {
    if (this.finishers.has(job.id)) return Promise.resolve(failure('duplicate', false, `Job ${job.id} is already running here.`));
    return new Promise<ProviderOutcome>((resolve) => {
      this.finishers.set(job.id, resolve);
      this.inFlight += 1;
      void this.execute(job, inputs)
        .catch((err: unknown): ProviderOutcome => {
          this.options.logger.error({ err, jobId: job.id }, 'the local worker session failed a job unexpectedly');
          return failure('internal', true, 'The local worker session failed unexpectedly; the log has the details.');
        })
        .then((outcome) => {
          this.inFlight -= 1;
          this.finish(job.id, outcome);
        });
    });
  }

  cancel(jobId: string): void {
    // onnxruntime cannot stop a run; the worker's own deadline (the job's) ends it if it overruns.
    this.finish(jobId, failure('timeout', false, 'The job was cancelled by the coordinator.'));
  }

  async close(): Promise<void> {
    for (const jobId of [...this.finishers.keys()]) this.finish(jobId, failure('worker_unavailable', true, 'The local worker is shutting down.'));
    await this.pool.close();
    if (this.removeDir) await rm(this.dir, { recursive: true, force: true });
  }

  private finish(jobId: string, outcome: ProviderOutcome): void {
    const resolve = this.finishers.get(jobId);
    if (resolve === undefined) return;
    this.finishers.delete(jobId);
    resolve(outcome);
  }

  private async execute(job: JobSpec, inputs: Tensor[]): Promise<ProviderOutcome> {
    const unpin = this.cache.pin(job.model.sha256);
    try {
      const missing = await this.ensureModel(job.model);
      if (missing !== null) return missing;
      const result = await this.supervisor.run(
        { jobId: job.id, model: { sha256: job.model.sha256 }, inputs, ...(job.outputs === undefined ? {} : { outputs: job.outputs }) },
        { deadlineMs: job.deadline },
      );
      if (!result.ok) return failure(result.error.code, isRetryable(result.error.code), result.error.message);
      this.warmModels.add(job.model.sha256);
      const value = result.value;
      const receipt: Receipt = {
        jobId: job.id,
        modelSha256: job.model.sha256,
        inputSha256: job.inputSha256,
        outputSha256: value.outputSha256,
        fingerprintHash: fingerprintHash(value.fingerprint),
        runMs: value.timings.runMs,
        executionProvider: value.executionProvider,
        deviceId: value.deviceId,
        seq: ++this.seq,
      };
      const signature = this.options.receiptSigner === undefined ? null : await this.options.receiptSigner.sign(receipt);
      return { ok: true, outputs: value.outputs, receipt, signature };
    } finally {
      unpin();
    }
  }

  /** Puts the model in the cache (once, however many jobs wait for it); a failure outcome when it cannot. */
  private async ensureModel(model: JobSpec['model']): Promise<ProviderOutcome | null> {
    if (await this.cache.has(model.sha256)) return null;
    let load = this.loads.get(model.sha256);
    if (load === undefined) {
      load = this.download(model).finally(() => this.loads.delete(model.sha256));
      this.loads.set(model.sha256, load);
    }
    try {
      await load;
      return null;
    } catch (err) {
      if (err instanceof ModelCacheError) return failure(err.code, false, err.message);
      return failure('model_missing', true, `Model ${model.sha256.slice(0, 12)}… could not be fetched: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async download(model: JobSpec['model']): Promise<void> {
    const bytes = await (this.options.loadModel ?? fetchModel)(model);
    if (bytes.byteLength !== model.bytes) throw new ModelCacheError('model_hash_mismatch', `Model ${model.sha256.slice(0, 12)}… is ${bytes.byteLength} bytes; the job says ${model.bytes}.`);
    await this.cache.put(bytes, model.sha256);
  }
}

/** Downloads a model from its URL, refusing more bytes than the job declares. */
async function fetchModel(model: JobSpec['model']): Promise<Uint8Array> {
  const response = await fetch(model.url, { signal: AbortSignal.timeout(120_000) });
  if (!response.ok) throw new Error(`${model.url} answered ${response.status}`);
  const declared = Number(response.headers.get('content-length') ?? model.bytes);
  if (declared > model.bytes) throw new ModelCacheError('model_too_large', `${model.url} offers ${declared} bytes; the job says ${model.bytes}.`);
  return new Uint8Array(await response.arrayBuffer());
}

function failure(code: Extract<ProviderOutcome, { ok: false }>['code'], retryable: boolean, message: string): ProviderOutcome {
  return { ok: false, code, retryable, message };
}

/** Starts one sandboxed CPU worker in a scratch folder and wraps it as a ProviderSession. */
export async function localWorkerSession(options: LocalWorkerSessionOptions): Promise<LocalWorkerSession> {
  const removeDir = options.scratchDir === undefined;
  const dir = options.scratchDir ?? (await mkdtemp(join(tmpdir(), 'hearth-local-worker-')));
  try {
    const cache = await ModelCache.open({ dir: join(dir, 'models'), maxBytes: options.maxModelCacheBytes ?? 4 * 1024 ** 3 });
    const [planned] = planWorkers([], cache.dir);
    const config: WorkerConfig = { ...planned!, ...options.worker, deviceId: planned!.deviceId, modelCacheDir: cache.dir };
    const logger = options.logger.child({ part: 'local-worker' });
    const pool = new WorkerPool({ appRoot: options.appRoot, configs: [config], launcher: await createChildProcessLauncher({ dataDir: dir, logger }), logger });
    await pool.start();
    const supervisor = pool.worker(config.deviceId)!;
    const id = options.receiptSigner?.address ?? LOCAL_WORKER_ID;
    return new LocalSession(id, dir, options.maxInFlight ?? 2, pool, supervisor, cache, options, removeDir);
  } catch (err) {
    if (removeDir) await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
