/** Sizes of tensor sets, for the output cap (kept free of onnxruntime so the control thread can use it). */
import type { Tensor } from '../../common/tensor.js';

/** Total bytes of a set of tensors' data. */
export function totalBytes(tensors: readonly Tensor[]): number {
  return tensors.reduce((sum, t) => sum + t.data.byteLength, 0);
}
