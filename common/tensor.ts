/**
 * Tensors as they cross every process boundary: Open Inference Protocol names and datatypes, with the
 * data kept binary (little-endian element bytes; BYTES elements as 4-byte little-endian length + bytes,
 * as the OIP binary extension lays them out). Never JSON number arrays on a hot path.
 */
import { z } from 'zod';

export const Datatype = z.enum(['BOOL', 'UINT8', 'INT8', 'UINT16', 'INT16', 'UINT32', 'INT32', 'UINT64', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES']);
export type Datatype = z.infer<typeof Datatype>;

/** Bytes per element for fixed-size datatypes; null for BYTES (variable length). */
export const BYTES_PER_ELEMENT: Record<Datatype, number | null> = {
  BOOL: 1,
  UINT8: 1,
  INT8: 1,
  UINT16: 2,
  INT16: 2,
  UINT32: 4,
  INT32: 4,
  UINT64: 8,
  INT64: 8,
  FP16: 2,
  FP32: 4,
  FP64: 8,
  BYTES: null,
};

/** Largest rank a tensor may have on any channel. */
export const MAX_RANK = 8;

export const TensorName = z.string().min(1).max(256);

/** A tensor on the wire between provider, worker and coordinator. */
export const Tensor = z.object({
  name: TensorName,
  datatype: Datatype,
  shape: z.array(z.number().int().nonnegative().max(2 ** 31 - 1)).max(MAX_RANK),
  data: z.instanceof(Uint8Array),
});
export type Tensor = z.infer<typeof Tensor>;

/** Number of elements a shape holds (1 for a scalar); Infinity when it overflows a safe integer. */
export function elementCount(shape: readonly number[]): number {
  let count = 1;
  for (const dim of shape) {
    count *= dim;
    if (!Number.isSafeInteger(count)) return Number.POSITIVE_INFINITY;
  }
  return count;
}

/** Splits BYTES tensor data into its elements, or returns null when the framing is broken. */
export function decodeBytesElements(data: Uint8Array): Uint8Array[] | null {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const elements: Uint8Array[] = [];
  let offset = 0;
  while (offset < data.byteLength) {
    if (offset + 4 > data.byteLength) return null;
    const length = view.getUint32(offset, true);
    offset += 4;
    if (offset + length > data.byteLength) return null;
    elements.push(data.subarray(offset, offset + length));
    offset += length;
  }
  return elements;
}

/** Frames BYTES elements as 4-byte little-endian length + bytes each. */
export function encodeBytesElements(elements: readonly Uint8Array[]): Uint8Array {
  const total = elements.reduce((sum, e) => sum + 4 + e.byteLength, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const element of elements) {
    view.setUint32(offset, element.byteLength, true);
    out.set(element, offset + 4);
    offset += 4 + element.byteLength;
  }
  return out;
}

/** Why a tensor's data does not match its datatype and shape, or null when it does. */
export function tensorDataProblem(tensor: Tensor): string | null {
  const count = elementCount(tensor.shape);
  const width = BYTES_PER_ELEMENT[tensor.datatype];
  if (width === null) {
    const elements = decodeBytesElements(tensor.data);
    if (elements === null) return `${tensor.name}: BYTES data is not length-prefixed elements`;
    return elements.length === count ? null : `${tensor.name}: shape [${tensor.shape}] needs ${count} elements, data has ${elements.length}`;
  }
  const expected = count * width;
  return tensor.data.byteLength === expected
    ? null
    : `${tensor.name}: shape [${tensor.shape}] of ${tensor.datatype} needs ${expected} bytes, data has ${tensor.data.byteLength}`;
}

type NumericArray =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | BigUint64Array
  | BigInt64Array
  | Float32Array
  | Float64Array;

const ARRAY_TYPES = {
  BOOL: Uint8Array,
  UINT8: Uint8Array,
  INT8: Int8Array,
  UINT16: Uint16Array,
  INT16: Int16Array,
  UINT32: Uint32Array,
  INT32: Int32Array,
  UINT64: BigUint64Array,
  INT64: BigInt64Array,
  // FP16 travels as raw 16-bit words; onnxruntime takes a Uint16Array for float16.
  FP16: Uint16Array,
  FP32: Float32Array,
  FP64: Float64Array,
} as const;

/** A typed-array view of a numeric tensor's data (copied only when the bytes are misaligned). */
export function numericView(datatype: Exclude<Datatype, 'BYTES'>, data: Uint8Array): NumericArray {
  const Ctor = ARRAY_TYPES[datatype];
  const width = Ctor.BYTES_PER_ELEMENT;
  const source = data.byteOffset % width === 0 ? data : data.slice();
  return new Ctor(source.buffer as ArrayBuffer, source.byteOffset, source.byteLength / width);
}

/** The bytes behind a typed array, without copying. */
export function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}
