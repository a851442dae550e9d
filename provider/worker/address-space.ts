/**
 * How much address space a worker may reserve (Linux, via prlimit): enough for Node, onnxruntime's
 * threads and a model's sessions and tensors, so an allocation bomb fails inside onnxruntime as a
 * catchable error instead of taking the machine's memory.
 */
import type { WorkerConfig } from '../../common/worker-protocol.js';

const GiB = 1024 ** 3;
/** Node and onnxruntime reserve about 2 GiB of address space before any model (measured: 1.8 GiB idle, 2.1 GiB after PP-OCRv4). */
export const BASE_ADDRESS_SPACE_BYTES = 4 * GiB;
/** The most a worker is given, whatever its budget. */
export const MAX_ADDRESS_SPACE_BYTES = 16 * GiB;

/**
 * The limit for a worker with `config`, at most the machine's memory; null when it may use a GPU
 * runtime (CUDA, TensorRT, WebGPU drivers reserve far more address space than they use).
 */
export function addressSpaceLimit(config: WorkerConfig, totalMemoryBytes: number): number | null {
  if (config.executionProviders.some((provider) => provider !== 'cpu')) return null;
  // Sessions up to the budget, plus room for a run's activations of the same order, plus its tensors.
  const wanted = BASE_ADDRESS_SPACE_BYTES + 2 * config.sessionBudgetBytes + config.limits.maxInputBytes + config.limits.maxOutputBytes;
  return Math.max(BASE_ADDRESS_SPACE_BYTES, Math.min(wanted, totalMemoryBytes, MAX_ADDRESS_SPACE_BYTES));
}
