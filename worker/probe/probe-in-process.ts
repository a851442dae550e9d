/**
 * Probing in the calling thread, for one-shot tools such as `hearth gpu`: onnxruntime is loaded here,
 * and each attempt blocks this thread while it creates its session (the timeout cannot interrupt it).
 */
import { env } from 'onnxruntime-node';
import type { ExecutionProviderName, ProviderProbe } from '../../common/worker-protocol.js';
import { ALL_PROVIDERS } from './offered-providers.js';
import { probeExecutionProviders } from './probe-providers.js';
import { tryProvider } from './try-provider.js';

/** Probes `names` (every provider by default) in this thread. */
export function probeInProcess(
  names: readonly ExecutionProviderName[] = ALL_PROVIDERS,
  options: { platform?: NodeJS.Platform; timeoutMs?: number; intraOpNumThreads?: number } = {},
): Promise<ProviderProbe[]> {
  const threads = options.intraOpNumThreads ?? 1;
  // The reasons come back in the results; onnxruntime's own error lines would only clutter a terminal.
  // (Takes effect only if onnxruntime has not been initialised in this process yet.)
  env.logLevel = 'fatal';
  return probeExecutionProviders(names, { ...options, tryOne: (name) => tryProvider(name, threads) });
}
