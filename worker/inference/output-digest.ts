/**
 * The sha256 of a set of output tensors over a canonical encoding, so two workers that produce the same
 * bytes produce the same hash whatever order the outputs come in. Tensors are taken in name order
 * (UTF-16 code unit order, as Array.prototype.sort compares), each encoded as:
 *   u32 name length, name (UTF-8) · u32 datatype length, datatype (ASCII) · u32 rank · u64 per dim ·
 *   u64 data length · data
 * with every integer little-endian.
 */
import { createHash } from 'node:crypto';
import { type OutputFingerprint, byName, fingerprintTensor } from '../../common/fingerprint.js';
import type { Tensor } from '../../common/tensor.js';

const encoder = new TextEncoder();

function header(tensor: Tensor): Uint8Array {
  const name = encoder.encode(tensor.name);
  const datatype = encoder.encode(tensor.datatype);
  const out = new Uint8Array(4 + name.length + 4 + datatype.length + 4 + 8 * tensor.shape.length + 8);
  const view = new DataView(out.buffer);
  let at = 0;
  view.setUint32(at, name.length, true);
  out.set(name, (at += 4));
  view.setUint32((at += name.length), datatype.length, true);
  out.set(datatype, (at += 4));
  view.setUint32((at += datatype.length), tensor.shape.length, true);
  at += 4;
  for (const dim of tensor.shape) {
    view.setBigUint64(at, BigInt(dim), true);
    at += 8;
  }
  view.setBigUint64(at, BigInt(tensor.data.byteLength), true);
  return out;
}

/** Hex sha256 of the outputs' canonical encoding. */
export function outputSha256(outputs: readonly Tensor[]): string {
  const hash = createHash('sha256');
  for (const tensor of byName(outputs)) {
    hash.update(header(tensor));
    hash.update(tensor.data);
  }
  return hash.digest('hex');
}

/**
 * The sha256 and the fingerprint of a job's outputs, computed once, in the worker: each tensor is
 * hashed and then summed while its bytes are still in the CPU's cache. Nothing downstream recomputes
 * them from the outputs on the provider's side of the channel (the supervisor validates only shapes).
 */
export function digestOutputs(outputs: readonly Tensor[]): { outputSha256: string; fingerprint: OutputFingerprint } {
  const hash = createHash('sha256');
  const fingerprint: OutputFingerprint = [];
  for (const tensor of byName(outputs)) {
    hash.update(header(tensor));
    hash.update(tensor.data);
    fingerprint.push(fingerprintTensor(tensor));
  }
  return { outputSha256: hash.digest('hex'), fingerprint };
}
