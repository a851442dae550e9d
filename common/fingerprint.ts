/**
 * A quantized fingerprint of inference outputs: small enough to put in a receipt, and comparable with
 * a tolerance, because a GPU and a CPU never produce bit-identical floats. Two results "match" when every
 * output has the same element count and its sums and evenly spaced samples agree within tolerance.
 */
import { z } from 'zod';
import { type Tensor, elementCount, numericView } from './tensor.js';

const SAMPLES = 32;

/** A quantized value: a finite number, or the name of a non-finite one (JSON and zod have no NaN). */
const FingerprintValue = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]);
type FingerprintValue = z.infer<typeof FingerprintValue>;

export const OutputFingerprint = z
  .array(
    z.object({
      name: z.string().max(256),
      count: z.number().int().nonnegative(),
      sum: FingerprintValue,
      sumAbs: FingerprintValue,
      samples: z.array(FingerprintValue).max(SAMPLES),
    }),
  )
  .max(64);
export type OutputFingerprint = z.infer<typeof OutputFingerprint>;

/** Rounds to `digits` significant digits: the quantization step of the fingerprint. */
function quantize(value: number, digits: number): FingerprintValue {
  if (Number.isFinite(value)) return Number(value.toPrecision(digits));
  return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
}

function numberOf(value: FingerprintValue): number {
  return typeof value === 'number' ? value : Number(value);
}

/** Decodes an IEEE 754 half-precision word. */
export function halfToFloat(word: number): number {
  const sign = word & 0x8000 ? -1 : 1;
  const exponent = (word >> 10) & 0x1f;
  const fraction = word & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function numbersOf(tensor: Tensor): (i: number) => number {
  if (tensor.datatype === 'BYTES') return () => 0;
  const view = numericView(tensor.datatype, tensor.data);
  if (tensor.datatype === 'FP16') return (i) => halfToFloat(view[i] as number);
  return (i) => Number(view[i]);
}

/** Sum and absolute sum of FP32 data: its own monomorphic loop, the hot path (most outputs are FP32). */
function sumsFloat32(view: Float32Array): { sum: number; sumAbs: number } {
  let sum = 0;
  let sumAbs = 0;
  for (let i = 0; i < view.length; i++) {
    const v = view[i]!;
    sum += v;
    sumAbs += v < 0 ? -v : v;
  }
  return { sum, sumAbs };
}

/** Sum and absolute sum in one pass; plain number arrays get a closure-free loop. */
function sums(tensor: Tensor, count: number, at: (i: number) => number): { sum: number; sumAbs: number } {
  if (tensor.datatype === 'FP32' && count * 4 === tensor.data.byteLength) return sumsFloat32(numericView('FP32', tensor.data) as Float32Array);
  let sum = 0;
  let sumAbs = 0;
  const plain = tensor.datatype === 'BYTES' ? tensor.data : tensor.datatype === 'FP16' || tensor.datatype.endsWith('INT64') ? null : numericView(tensor.datatype, tensor.data);
  if (plain !== null && !(plain instanceof BigInt64Array) && !(plain instanceof BigUint64Array)) {
    for (let i = 0; i < count; i++) {
      const v = plain[i]!;
      sum += v;
      sumAbs += v < 0 ? -v : v;
    }
    return { sum, sumAbs };
  }
  for (let i = 0; i < count; i++) {
    const v = at(i);
    sum += v;
    sumAbs += Math.abs(v);
  }
  return { sum, sumAbs };
}

/** The fingerprint entry of one output tensor. */
export function fingerprintTensor(tensor: Tensor): OutputFingerprint[number] {
  const count = tensor.datatype === 'BYTES' ? tensor.data.byteLength : elementCount(tensor.shape);
  const at = tensor.datatype === 'BYTES' ? (i: number) => tensor.data[i]! : numbersOf(tensor);
  const { sum, sumAbs } = sums(tensor, count, at);
  const samples: FingerprintValue[] = [];
  const step = Math.max(1, count / SAMPLES);
  for (let i = 0; i < Math.min(count, SAMPLES); i++) samples.push(quantize(at(Math.floor(i * step)), 4));
  return { name: tensor.name, count, sum: quantize(sum, 6), sumAbs: quantize(sumAbs, 6), samples };
}

/** Outputs in the canonical order fingerprints and output hashes use: by name, UTF-16 code units. */
export function byName<T extends { name: string }>(outputs: readonly T[]): T[] {
  return [...outputs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Computes the fingerprint of a set of outputs, in name order. */
export function fingerprintOutputs(outputs: readonly Tensor[]): OutputFingerprint {
  return byName(outputs).map(fingerprintTensor);
}

function close(x: FingerprintValue, y: FingerprintValue, relTol: number, absTol: number): boolean {
  const a = numberOf(x);
  const b = numberOf(y);
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  return Math.abs(a - b) <= absTol + relTol * Math.max(Math.abs(a), Math.abs(b));
}

/** True when two fingerprints agree within the tolerance (relative, then absolute floor). */
export function fingerprintsMatch(a: OutputFingerprint, b: OutputFingerprint, relTol = 1e-2, absTol = 1e-3): boolean {
  if (a.length !== b.length) return false;
  return a.every((x, i) => {
    const y = b[i]!;
    if (x.name !== y.name || x.count !== y.count || x.samples.length !== y.samples.length) return false;
    // Sums accumulate error over many elements, so they get a tolerance scaled by the magnitude.
    const sumTol = absTol * Math.max(1, x.count) ** 0.5;
    if (!close(x.sumAbs, y.sumAbs, relTol, sumTol) || !close(x.sum, y.sum, relTol, sumTol + relTol * numberOf(x.sumAbs))) return false;
    return x.samples.every((s, j) => close(s, y.samples[j]!, relTol, absTol));
  });
}
