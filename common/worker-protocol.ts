/**
 * The contract between the provider and a worker process (one per device). Messages are validated
 * with zod on the receiving side; tensors stay binary (Uint8Array, structured-cloned over the IPC
 * channel with advanced serialization, transferred inside the worker).
 */
import { z } from 'zod';
import { OutputFingerprint } from './fingerprint.js';
import { Tensor, TensorName } from './tensor.js';

export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

/** Stable error codes of the worker path; the marketplace protocol reuses them in `job.fail`. */
export const WorkerErrorCode = z.enum([
  'model_hash_mismatch',
  'model_invalid',
  'model_too_large',
  'model_rejected',
  'model_missing',
  'model_quarantined',
  'input_invalid',
  'input_too_large',
  'output_too_large',
  'out_of_memory',
  'worker_crashed',
  'worker_unavailable',
  'timeout',
  'internal',
]);
export type WorkerErrorCode = z.infer<typeof WorkerErrorCode>;

export const WorkerError = z.object({ code: WorkerErrorCode, message: z.string().max(2000) });
export type WorkerError = z.infer<typeof WorkerError>;

/** Execution providers onnxruntime-node may offer, in the names the worker reports. */
export const ExecutionProviderName = z.enum(['tensorrt', 'cuda', 'dml', 'coreml', 'webgpu', 'cpu']);
export type ExecutionProviderName = z.infer<typeof ExecutionProviderName>;

/** Limits checked before any tensor or session exists (in the worker, and again in the provider). */
export const WorkerLimits = z.object({
  maxModelBytes: z.number().int().positive(),
  maxInputBytes: z.number().int().positive(),
  maxInputElements: z.number().int().positive(),
  maxOutputBytes: z.number().int().positive(),
  allowedOpDomains: z.array(z.string().max(100)).max(50),
  minOpset: z.number().int().nonnegative(),
  maxOpset: z.number().int().positive(),
  maxNodes: z.number().int().positive(),
  maxSubgraphDepth: z.number().int().nonnegative(),
});
export type WorkerLimits = z.infer<typeof WorkerLimits>;

/** Sent once after spawn; everything the worker may know. */
export const WorkerConfig = z.object({
  deviceId: z.string().max(200),
  /** Preference order; the first that creates a session wins, ending at cpu. */
  executionProviders: z.array(ExecutionProviderName).min(1).max(6),
  /** Read-only content-addressed model folder: `<sha256>.onnx` files. */
  modelCacheDir: z.string().max(4096),
  limits: WorkerLimits,
  sessionBudgetBytes: z.number().int().positive(),
  intraOpNumThreads: z.number().int().positive().max(256),
  batching: z.object({ enabled: z.boolean(), maxBatch: z.number().int().positive().max(1024), maxDelayMs: z.number().nonnegative().max(1000) }),
});
export type WorkerConfig = z.infer<typeof WorkerConfig>;

/** The sandbox layers actually in force around a worker, as the status shows them. */
export const SandboxReport = z.object({
  envAllowlist: z.boolean(),
  privateWorkDir: z.boolean(),
  nodePermissions: z.boolean(),
  bubblewrap: z.boolean(),
  addressSpaceLimitBytes: z.number().int().positive().nullable(),
});
export type SandboxReport = z.infer<typeof SandboxReport>;

export const ProviderProbe = z.object({
  name: ExecutionProviderName,
  available: z.boolean(),
  reason: z.string().max(1000).nullable(),
});
export type ProviderProbe = z.infer<typeof ProviderProbe>;

export const RunParams = z.object({
  jobId: z.string().min(1).max(128),
  model: z.object({ sha256: Sha256Hex }),
  inputs: z.array(Tensor).max(64),
  /** Output names to return; all of the model's outputs when absent. */
  outputs: z.array(TensorName).max(64).optional(),
});
export type RunParams = z.infer<typeof RunParams>;

export const RunResult = z.object({
  outputs: z.array(Tensor).max(64),
  outputSha256: Sha256Hex,
  fingerprint: OutputFingerprint,
  timings: z.object({ queueMs: z.number().nonnegative(), loadMs: z.number().nonnegative(), runMs: z.number().nonnegative() }),
  executionProvider: ExecutionProviderName,
  deviceId: z.string().max(200),
  /** How many jobs ran together in the batch this one was part of (1 when unbatched). */
  batchSize: z.number().int().positive(),
});
export type RunResult = z.infer<typeof RunResult>;

export const WorkerInfo = z.object({
  pid: z.number().int(),
  deviceId: z.string().max(200),
  executionProviders: z.array(ProviderProbe).max(6),
  warmModels: z.array(Sha256Hex).max(1000),
  sessionBytes: z.number().int().nonnegative(),
});
export type WorkerInfo = z.infer<typeof WorkerInfo>;

/** Every request a provider can make of a worker: method → params and result. */
export const workerMethods = {
  run: { params: RunParams, result: RunResult },
  warm: { params: z.object({ sha256: Sha256Hex }), result: z.object({ loadMs: z.number().nonnegative() }) },
  evict: { params: z.object({ sha256: Sha256Hex }), result: z.object({ evicted: z.boolean() }) },
  info: { params: z.object({}), result: WorkerInfo },
} as const;
export type WorkerMethod = keyof typeof workerMethods;
export type WorkerParams<M extends WorkerMethod> = z.output<(typeof workerMethods)[M]['params']>;
export type WorkerResultOf<M extends WorkerMethod> = z.output<(typeof workerMethods)[M]['result']>;

export const WorkerReply = z.union([z.object({ ok: z.literal(true), value: z.unknown() }), z.object({ ok: z.literal(false), error: WorkerError })]);

/** Provider → worker. */
export const ToWorker = z.discriminatedUnion('type', [
  z.object({ type: z.literal('init'), config: WorkerConfig }),
  z.object({ type: z.literal('call'), id: z.number().int().nonnegative(), method: z.enum(['run', 'warm', 'evict', 'info']), params: z.unknown() }),
  z.object({ type: z.literal('shutdown') }),
]);
export type ToWorker = z.infer<typeof ToWorker>;

/** Worker → provider. */
export const FromWorker = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), info: WorkerInfo }),
  z.object({ type: z.literal('reply'), id: z.number().int().nonnegative(), reply: WorkerReply }),
  z.object({
    type: z.literal('log'),
    level: z.enum(['debug', 'info', 'warn', 'error']),
    msg: z.string().max(4000),
    fields: z.record(z.string(), z.unknown()).optional(),
  }),
]);
export type FromWorker = z.infer<typeof FromWorker>;

/** Largest single message (bytes, as estimated by the sender) on the worker channel. */
export const MAX_WORKER_MESSAGE_BYTES = 512 * 1024 * 1024;
