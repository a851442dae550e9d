/**
 * Model inputs described as data, so the bench process (which sends them through the worker) and the
 * raw child (which hands them to onnxruntime itself) build byte-identical tensors from one description.
 */
import type { Tensor } from '../common/tensor.js';

/** One input: its shape with `'rows'` where the batch dimension goes, and what fills it. */
export type InputSpec = {
  name: string;
  datatype: 'FP32' | 'INT64';
  shape: readonly (number | 'rows')[];
  /** 'wave': a smooth signal in [0, 1]; 'zeros'; or one integer repeated (a sample rate). */
  fill: 'wave' | 'zeros' | number;
};

/** The concrete shape of `spec` at `rows` rows. */
export function shapeAt(spec: InputSpec, rows: number): number[] {
  return spec.shape.map((dim) => (dim === 'rows' ? rows : dim));
}

/** The tensors for one run of `rows` rows (rows = 1: one job's inputs). */
export function tensorsAt(specs: readonly InputSpec[], rows: number): Tensor[] {
  return specs.map((spec) => {
    const shape = shapeAt(spec, rows);
    const count = shape.reduce((a, b) => a * b, 1);
    if (spec.datatype === 'INT64') {
      const values = new BigInt64Array(count).fill(BigInt(typeof spec.fill === 'number' ? spec.fill : 0));
      return { name: spec.name, datatype: 'INT64', shape, data: new Uint8Array(values.buffer) };
    }
    const values = new Float32Array(count);
    if (spec.fill === 'wave') for (let i = 0; i < count; i++) values[i] = Math.sin(i * 0.01) * 0.5 + 0.5;
    else if (typeof spec.fill === 'number') values.fill(spec.fill);
    return { name: spec.name, datatype: 'FP32', shape, data: new Uint8Array(values.buffer) };
  });
}

/** Bytes of input data in one run of `rows` rows. */
export function inputBytesAt(specs: readonly InputSpec[], rows: number): number {
  return specs.reduce((sum, spec) => sum + shapeAt(spec, rows).reduce((a, b) => a * b, 1) * (spec.datatype === 'INT64' ? 8 : 4), 0);
}
