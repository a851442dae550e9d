/**
 * Execution-provider probing: every named provider is reported as available or unavailable with a
 * reason. Providers onnxruntime-node does not offer on this platform are reported without being tried;
 * the others are tried one at a time (by `tryOne`, which runs them where onnxruntime lives) under a
 * timeout each.
 */
import type { ExecutionProviderName, ProviderProbe } from '../../common/worker-protocol.js';
import { notOfferedReason, offeredProviders } from './offered-providers.js';

/** How long one provider may take to create and run the probe model (CUDA and TensorRT start slowly). */
export const DEFAULT_PROBE_TIMEOUT_MS = 10_000;

export type ProbeOptions = {
  /** Tries one provider for real (see try-provider.ts), wherever onnxruntime is loaded. */
  tryOne: (name: ExecutionProviderName) => Promise<ProviderProbe>;
  platform?: NodeJS.Platform;
  timeoutMs?: number;
};

function withTimeout(name: ExecutionProviderName, attempt: Promise<ProviderProbe>, timeoutMs: number): Promise<ProviderProbe> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<ProviderProbe>((resolve) => {
    timer = setTimeout(() => resolve({ name, available: false, reason: `did not create and run a session within ${timeoutMs} ms` }), timeoutMs);
  });
  const settled = attempt.catch((thrown: unknown) => ({ name, available: false, reason: thrown instanceof Error ? thrown.message : String(thrown) }));
  return Promise.race([settled, late]).finally(() => clearTimeout(timer));
}

/** Probes each provider in `names` (duplicates dropped), in order, one at a time. */
export async function probeExecutionProviders(names: readonly ExecutionProviderName[], options: ProbeOptions): Promise<ProviderProbe[]> {
  const platform = options.platform ?? process.platform;
  const offered = offeredProviders(platform);
  const results: ProviderProbe[] = [];
  for (const name of new Set(names)) {
    if (!offered.includes(name)) results.push({ name, available: false, reason: notOfferedReason(platform) });
    else results.push(await withTimeout(name, options.tryOne(name), options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS));
  }
  return results;
}

/** The names to probe for a worker: its preference order, with cpu appended as the last resort. */
export function withCpuLast(preference: readonly ExecutionProviderName[]): ExecutionProviderName[] {
  return [...new Set([...preference.filter((n) => n !== 'cpu'), 'cpu' as const])];
}
