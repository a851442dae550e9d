/**
 * Session options for the benchmarks' raw baselines: the worker's allowlisted options minus its one
 * `extra` entry (intra-op threads that never spin), so a baseline runs onnxruntime as it comes, spinning
 * threads and all. The worker's own choice is then measured against onnxruntime's default, not against
 * itself.
 */
import type { InferenceSession } from 'onnxruntime-node';
import type { ExecutionProviderName } from '../common/worker-protocol.js';
import { sessionOptionsFor } from '../worker/engine/session-options.js';

/** The worker's session options with onnxruntime's default thread spinning. */
export function rawSessionOptions(provider: ExecutionProviderName, intraOpNumThreads: number): InferenceSession.SessionOptions {
  const { extra: _spinning, ...options } = sessionOptionsFor(provider, intraOpNumThreads);
  return options;
}
