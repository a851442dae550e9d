/**
 * The session-options allowlist (SECURITY.md 13). Options are built here from the worker's own config
 * and nothing else: a job cannot reach this function, and the keys that read or write files
 * (optimizedModelFilePath, enableProfiling, profileFilePrefix) or pass free-form config (extra) are never
 * set. Values measured on these machines: graph optimization 'all' beats 'disabled' by 22–54%, parallel
 * execution mode is 2× slower than sequential, intra-op threads sized to the machine beat 1, and
 * onnxruntime's spinning threads (its default) beat threads that sleep: OCR recognition through the
 * worker ran at 0.66–0.68× raw spinning and 0.49–0.51× not, on a quiet machine (docs/benchmarks.md,
 * "Session 3").
 */
import type { InferenceSession } from 'onnxruntime-node';
import type { ExecutionProviderName } from '../../common/worker-protocol.js';

/** The only keys a session's options ever have. */
export const SESSION_OPTION_KEYS = [
  'executionProviders',
  'graphOptimizationLevel',
  'executionMode',
  'intraOpNumThreads',
  'interOpNumThreads',
  'enableCpuMemArena',
  'logSeverityLevel',
] as const;

/** Session options for one execution provider, from the worker's config alone. */
export function sessionOptionsFor(provider: ExecutionProviderName, intraOpNumThreads: number): InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads,
    interOpNumThreads: 1,
    enableCpuMemArena: true,
    logSeverityLevel: 3,
  };
}
