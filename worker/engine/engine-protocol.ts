/**
 * The messages between the worker's control thread and its engine thread (the worker_thread that holds
 * onnxruntime). Both sides are this worker's own code in one process, so messages are typed, not
 * parsed; tensor data is transferred, never copied.
 */
import type { Tensor } from '../../common/tensor.js';
import type { ExecutionProviderName, ProviderProbe, WorkerError } from '../../common/worker-protocol.js';
import type { ModelSignature } from '../inference/model-signature.js';

/** One job (or one merged batch) for the engine to run. */
export type EngineRunJob = {
  sha256: string;
  inputs: Tensor[];
  outputs?: string[];
  /** The output cap for this run: the worker's limit times the jobs merged into it. */
  maxOutputBytes: number;
};

export type EngineLoadValue = { loadMs: number; provider: ExecutionProviderName; signature: ModelSignature };

export type EngineRunValue = EngineLoadValue & {
  outputs: Tensor[];
  /** When the engine took the job up (ms since epoch, same clock as `clockMs`). */
  startedAt: number;
  runMs: number;
};

/** Every call the control thread makes of the engine: params and value. */
export type EngineCalls = {
  probe: { params: { provider: ExecutionProviderName }; value: ProviderProbe };
  useProviders: { params: { providers: ExecutionProviderName[] }; value: null };
  load: { params: { sha256: string }; value: EngineLoadValue };
  run: { params: EngineRunJob; value: EngineRunValue };
  evict: { params: { sha256: string }; value: { evicted: boolean } };
};
export type EngineCallKind = keyof EngineCalls;

export type EngineRequest = { [K in EngineCallKind]: { id: number; kind: K; params: EngineCalls[K]['params'] } }[EngineCallKind];

/** The first message an engine thread gets: the worker's config (it was started before `init` came). */
export type EngineConfigure = { kind: 'configure'; config: unknown };

export type EngineLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Engine thread → control thread. */
export type EngineMessage =
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: WorkerError }
  /** The warm set changed. */
  | { type: 'cache'; warmModels: string[]; sessionBytes: number }
  | { type: 'log'; level: EngineLogLevel; msg: string; fields?: Record<string, unknown> };

/** Wall-clock milliseconds with sub-millisecond precision, comparable across threads. */
export function clockMs(): number {
  return performance.timeOrigin + performance.now();
}
