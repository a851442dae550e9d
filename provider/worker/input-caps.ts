/**
 * The provider's own check of a job's inputs against the worker limits, before anything is sent:
 * the worker checks again, but an oversized job should never cross the channel.
 */
import { type Tensor, elementCount, tensorDataProblem } from '../../common/tensor.js';
import { MAX_WORKER_MESSAGE_BYTES, type WorkerError, type WorkerLimits } from '../../common/worker-protocol.js';

/** Why `inputs` may not be sent under `limits` (totals over all inputs), or null when they may. */
export function inputCapsProblem(inputs: readonly Tensor[], limits: WorkerLimits): WorkerError | null {
  let elements = 0;
  let bytes = 0;
  for (const tensor of inputs) {
    elements += elementCount(tensor.shape);
    bytes += tensor.data.byteLength;
  }
  if (elements > limits.maxInputElements) {
    const count = Number.isFinite(elements) ? String(elements) : 'more than 2^53';
    return { code: 'input_too_large', message: `The inputs hold ${count} elements; the limit is ${limits.maxInputElements} (settings → limits).` };
  }
  // The channel's own cap holds even where the settings allow more.
  const maxBytes = Math.min(limits.maxInputBytes, MAX_WORKER_MESSAGE_BYTES);
  if (bytes > maxBytes) {
    return { code: 'input_too_large', message: `The inputs are ${bytes} bytes; the limit is ${maxBytes} bytes (settings → limits).` };
  }
  for (const tensor of inputs) {
    const problem = tensorDataProblem(tensor);
    if (problem !== null) return { code: 'input_invalid', message: `Input ${problem}.` };
  }
  return null;
}
