/**
 * The session-options allowlist (SECURITY.md 13). Options are built here from the worker's own config
 * and nothing else: a job cannot reach this function, the keys that read or write files
 * (optimizedModelFilePath, enableProfiling, profileFilePrefix) are never set, and the free-form config
 * (`extra`) holds one fixed entry of ours. Values measured on these machines: graph
 * optimization 'all' beats 'disabled' by 22–54%, parallel execution mode is 2× slower than sequential,
 * intra-op threads sized to the machine beat 1, and intra-op threads that do not spin beat spinning ones
 * whenever anything else wants a core (docs/benchmarks.md, "Spinning threads").
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
  'extra',
] as const;

/**
 * onnxruntime's intra-op threads spin for a while after each parallel section by default. On a machine
 * that does anything besides inference (the provider's event loop taking the result, the coordinator on
 * the same box, the user's own programs), the spinning threads hold the cores the rest needs: OCR
 * recognition on 2 cores ran at half speed next to one other busy process. A provider shares its machine
 * by definition, so its sessions never spin.
 */
export const NO_SPINNING = { session: { intra_op: { allow_spinning: '0' } } } as const;

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
    extra: NO_SPINNING,
  };
}
