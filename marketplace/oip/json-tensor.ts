/**
 * OIP tensors as JSON `data` arrays, both ways. In: a flat (or nested, flattened) row-major array,
 * checked element by element against the datatype — integers in range for INT/UINT types, booleans for
 * BOOL, strings for BYTES, numbers that fit for FP types — and packed into the binary Tensor. Out: the
 * array's JSON text, written straight from the typed array (64-bit integers keep every digit).
 */
import { halfToFloat } from '../../common/fingerprint.js';
import { type Datatype, type Tensor, decodeBytesElements, elementCount, encodeBytesElements, numericView } from '../../common/tensor.js';

const INT_RANGES: Partial<Record<Datatype, [number, number]>> = {
  UINT8: [0, 0xff],
  INT8: [-0x80, 0x7f],
  UINT16: [0, 0xffff],
  INT16: [-0x8000, 0x7fff],
  UINT32: [0, 0xffffffff],
  INT32: [-0x80000000, 0x7fffffff],
  UINT64: [0, Number.MAX_SAFE_INTEGER],
  INT64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

const INT_ARRAYS = { UINT8: Uint8Array, INT8: Int8Array, UINT16: Uint16Array, INT16: Int16Array, UINT32: Uint32Array, INT32: Int32Array } as const;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 half-precision bits of a number (rounded to nearest even, via float32). */
export function floatToHalf(value: number): number {
  f32[0] = value;
  const bits = u32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  let mantissa = bits & 0x7fffff;
  if (((bits >>> 23) & 0xff) === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  if (exponent >= 0x1f) return sign | 0x7c00;
  if (exponent <= 0) {
    if (exponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - exponent;
    let half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && half & 1)) half += 1;
    return sign | half;
  }
  let half = (exponent << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half += 1;
  return sign | half;
}

/** The bytes of a typed array this module allocated (always over a plain ArrayBuffer). */
function ownBytes(view: ArrayBufferView<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

function describe(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : Array.isArray(value) ? 'an array' : String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** A Tensor from an OIP JSON input, or why the data does not fit its datatype and shape. */
export function tensorFromJson(name: string, datatype: Datatype, shape: number[], data: unknown): Tensor | string {
  if (!Array.isArray(data)) return `Input '${name}' needs a JSON array as data (or binary data with parameters.binary_data_size).`;
  const values: unknown[] = data.flat(Infinity);
  const count = elementCount(shape);
  if (values.length !== count) return `Input '${name}' has shape [${shape.join(', ')}], which holds ${count} elements; its data has ${values.length}.`;
  const bad = (i: number, want: string) => `Input '${name}' is ${datatype}: element ${i} is ${describe(values[i])}, not ${want}.`;
  switch (datatype) {
    case 'BOOL': {
      const out = new Uint8Array(count);
      for (let i = 0; i < count; i++) {
        const v = values[i];
        if (typeof v !== 'boolean') return bad(i, 'true or false');
        out[i] = v ? 1 : 0;
      }
      return { name, datatype, shape, data: out };
    }
    case 'BYTES': {
      const encoder = new TextEncoder();
      const elements: Uint8Array[] = [];
      for (let i = 0; i < count; i++) {
        const v = values[i];
        if (typeof v !== 'string') return bad(i, 'a string');
        elements.push(encoder.encode(v));
      }
      return { name, datatype, shape, data: encodeBytesElements(elements) as Uint8Array<ArrayBuffer> };
    }
    case 'FP16':
    case 'FP32':
    case 'FP64': {
      const out = datatype === 'FP16' ? new Uint16Array(count) : datatype === 'FP32' ? new Float32Array(count) : new Float64Array(count);
      for (let i = 0; i < count; i++) {
        const v = values[i];
        if (typeof v !== 'number') return bad(i, 'a number');
        if (datatype === 'FP16') {
          const half = floatToHalf(v);
          if ((half & 0x7fff) === 0x7c00) return bad(i, 'a number within FP16 range (±65504)');
          out[i] = half;
        } else {
          out[i] = v;
          if (!Number.isFinite(out[i]!)) return bad(i, `a number within ${datatype} range`);
        }
      }
      return { name, datatype, shape, data: ownBytes(out) };
    }
    default: {
      const [min, max] = INT_RANGES[datatype]!;
      const wide = datatype === 'INT64' || datatype === 'UINT64';
      const narrow = wide ? null : new INT_ARRAYS[datatype as keyof typeof INT_ARRAYS](count);
      const big = datatype === 'INT64' ? new BigInt64Array(count) : datatype === 'UINT64' ? new BigUint64Array(count) : null;
      for (let i = 0; i < count; i++) {
        const v = values[i];
        if (typeof v !== 'number' || !Number.isInteger(v)) return bad(i, 'an integer');
        if (v < min || v > max) return bad(i, wide ? 'an integer JSON can carry exactly (|n| ≤ 2^53 - 1; send larger ones as binary data)' : `within ${min}…${max}`);
        if (big !== null) big[i] = BigInt(v);
        else narrow![i] = v;
      }
      return { name, datatype, shape, data: ownBytes((big ?? narrow)!) };
    }
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function floatsText(view: ArrayLike<number> & { join(separator: string): string }, length: number): string {
  for (let i = 0; i < length; i++) {
    if (!Number.isFinite(view[i]!)) return slowFloatsText(view, length);
  }
  return `[${view.join(',')}]`;
}

function slowFloatsText(view: ArrayLike<number>, length: number): string {
  // JSON has no NaN or Infinity: they travel by name, as in the output fingerprint.
  const parts = new Array<string>(length);
  for (let i = 0; i < length; i++) {
    const v = view[i]!;
    parts[i] = Number.isFinite(v) ? String(v) : Number.isNaN(v) ? '"NaN"' : v > 0 ? '"Infinity"' : '"-Infinity"';
  }
  return `[${parts.join(',')}]`;
}

/** The JSON text of a tensor's data as a flat row-major array, or null for BYTES that are not UTF-8 text. */
export function jsonDataText(tensor: Tensor): string | null {
  const { datatype } = tensor;
  if (datatype === 'BYTES') {
    const elements = decodeBytesElements(tensor.data) ?? [];
    const parts: string[] = [];
    for (const element of elements) {
      try {
        parts.push(JSON.stringify(strictUtf8.decode(element)));
      } catch {
        return null;
      }
    }
    return `[${parts.join(',')}]`;
  }
  if (datatype === 'BOOL') return `[${Array.from(tensor.data, (b) => (b ? 'true' : 'false')).join(',')}]`;
  const view = numericView(datatype, tensor.data);
  if (datatype === 'FP16') return slowFloatsText(Array.from(view as Uint16Array, halfToFloat), view.length);
  if (datatype === 'FP32' || datatype === 'FP64') return floatsText(view as Float32Array, view.length);
  // Integer arrays (64-bit ones as BigInt) join to their exact decimal digits.
  return `[${view.join(',')}]`;
}
