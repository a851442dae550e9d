/**
 * Which execution providers onnxruntime-node can offer on each platform, in the order a worker should
 * prefer them. On linux x64 the CPU and WebGPU providers are bundled; CUDA and TensorRT need the
 * libraries onnxruntime-node's install script downloads. DirectML is Windows-only, CoreML macOS-only.
 */
import type { ExecutionProviderName } from '../../common/worker-protocol.js';

const OFFERED: Partial<Record<NodeJS.Platform, readonly ExecutionProviderName[]>> = {
  linux: ['tensorrt', 'cuda', 'webgpu', 'cpu'],
  win32: ['dml', 'cuda', 'tensorrt', 'webgpu', 'cpu'],
  darwin: ['coreml', 'webgpu', 'cpu'],
};

/** Every provider name, in a stable reporting order. */
export const ALL_PROVIDERS: readonly ExecutionProviderName[] = ['tensorrt', 'cuda', 'dml', 'coreml', 'webgpu', 'cpu'];

/** The providers onnxruntime-node can offer on a platform, best first (cpu alone when unknown). */
export function offeredProviders(platform: NodeJS.Platform): readonly ExecutionProviderName[] {
  return OFFERED[platform] ?? ['cpu'];
}

/** The reason reported for a provider that is not tried on a platform. */
export function notOfferedReason(platform: NodeJS.Platform): string {
  return `not offered by onnxruntime-node on ${platform}`;
}
