/** Which buffers can move between threads instead of being copied. */
import type { TransferListItem } from 'node:worker_threads';
import type { Tensor } from '../../common/tensor.js';

/** The distinct ArrayBuffers behind tensors' data, for a postMessage transfer list. */
export function transferablesOf(tensors: readonly Tensor[]): TransferListItem[] {
  const buffers = new Set<ArrayBuffer>();
  for (const tensor of tensors) {
    const buffer = tensor.data.buffer;
    if (buffer instanceof ArrayBuffer && buffer.byteLength > 0) buffers.add(buffer);
  }
  return [...buffers];
}

/** A copy of each tensor with data in its own exactly-sized buffer, safe to transfer. */
export function detachedCopies(tensors: readonly Tensor[]): Tensor[] {
  return tensors.map((t) => ({ ...t, data: t.data.slice() }));
}
