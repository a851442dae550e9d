/**
 * Which workers to run: one per enabled device, each with the execution providers worth trying for
 * its vendor on this platform (the worker falls through them to cpu), and the config it is given.
 */
import { availableParallelism, totalmem } from 'node:os';
import type { ExecutionProviderName, WorkerConfig } from '../../common/worker-protocol.js';
import { DEFAULT_WORKER_LIMITS } from '../../worker/admission/default-limits.js';
import type { DetectedDevice } from '../../worker/devices/device.js';

/** The device id of the CPU worker that runs when no GPU is found. */
export const CPU_DEVICE_ID = 'cpu';

const GiB = 1024 ** 3;

/** Execution providers to try for a device, best first, always ending at cpu. */
export function providerPreference(device: DetectedDevice | null, platform: NodeJS.Platform): ExecutionProviderName[] {
  if (device === null) return ['cpu'];
  if (platform === 'win32') return device.vendor === 'nvidia' ? ['cuda', 'dml', 'cpu'] : ['dml', 'cpu'];
  if (platform === 'darwin') return ['coreml', 'webgpu', 'cpu'];
  // TensorRT builds an engine per model (minutes), so CUDA comes first for a marketplace of many models.
  if (device.vendor === 'nvidia') return ['cuda', 'tensorrt', 'webgpu', 'cpu'];
  return ['webgpu', 'cpu'];
}

/** Memory kept free for the owner on the device: sessions get what is left, between 512 MiB and 8 GiB. */
function sessionBudget(device: DetectedDevice | null): number {
  const available = device?.vramTotalBytes ?? totalmem() / 4;
  const reserve = device?.vramTotalBytes ? GiB : 0;
  return Math.round(Math.min(8 * GiB, Math.max(GiB / 2, available - reserve)));
}

/** One worker config per device (or one CPU worker when there is no GPU). */
export function planWorkers(devices: readonly DetectedDevice[], modelCacheDir: string, platform: NodeJS.Platform = process.platform): WorkerConfig[] {
  const targets: (DetectedDevice | null)[] = devices.length > 0 ? [...devices] : [null];
  return targets.map((device) => ({
    deviceId: device?.id ?? CPU_DEVICE_ID,
    executionProviders: providerPreference(device, platform),
    modelCacheDir,
    limits: DEFAULT_WORKER_LIMITS,
    sessionBudgetBytes: sessionBudget(device),
    intraOpNumThreads: Math.max(1, availableParallelism()),
    batching: { enabled: false, maxBatch: 32, maxDelayMs: 2 },
  }));
}
