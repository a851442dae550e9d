/**
 * The control thread's handle on the engine: typed calls with ids and a pending map, the warm set
 * mirrored from the engine's announcements (so `info` answers while a run is in progress), and probes
 * under a timeout. Implemented over a worker_thread (engine-host.ts) and, for tests, in-process.
 */
import type { TransferListItem } from 'node:worker_threads';
import type { ExecutionProviderName, ProviderProbe } from '../../common/worker-protocol.js';
import type { EngineCallKind, EngineCalls } from './engine-protocol.js';

export interface EngineLink {
  /** Calls the engine; rejects with a WorkerFailure carrying the engine's error. */
  call<K extends EngineCallKind>(kind: K, params: EngineCalls[K]['params'], transfer?: TransferListItem[]): Promise<EngineCalls[K]['value']>;
  /** Tries one provider; a provider that hangs past `timeoutMs` is reported unavailable. */
  probe(provider: ExecutionProviderName, timeoutMs: number): Promise<ProviderProbe>;
  /** True while the engine has calls in progress (it may be inside native code). */
  readonly busy: boolean;
  readonly warmModels: readonly string[];
  readonly sessionBytes: number;
  /** Stops the engine if it can stop now; 'stuck' when a thread is inside native code and cannot. */
  close(): Promise<'closed' | 'stuck'>;
}
