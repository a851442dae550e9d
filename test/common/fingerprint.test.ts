import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fingerprintOutputs, fingerprintsMatch } from '../../common/fingerprint.js';
import { type Tensor, bytesOf } from '../../common/tensor.js';

const tensor = (name: string, datatype: Tensor['datatype'], view: ArrayBufferView, shape = [view.byteLength / (view as Float32Array).BYTES_PER_ELEMENT]): Tensor => ({
  name,
  datatype,
  shape,
  data: bytesOf(view) as Uint8Array<ArrayBuffer>,
});

describe('output fingerprints', () => {
  it('agree across datatypes holding the same values, and across output order', () => {
    const values = [1.5, -2.25, 3, 0, -0.5];
    const a = fingerprintOutputs([tensor('y', 'FP32', Float32Array.from(values)), tensor('x', 'INT64', BigInt64Array.from([1n, -2n]))]);
    const b = fingerprintOutputs([tensor('x', 'INT32', Int32Array.from([1, -2])), tensor('y', 'FP64', Float64Array.from(values))]);
    expect(a).toEqual(b);
    expect(a[1]).toMatchObject({ name: 'y', count: 5, sum: 1.75, sumAbs: 7.25 });
  });

  it('names non-finite values instead of losing them', () => {
    const [fp] = fingerprintOutputs([tensor('y', 'FP32', Float32Array.from([Number.NaN, Number.POSITIVE_INFINITY, -1]))]);
    expect(fp!.samples).toEqual(['NaN', 'Infinity', -1]);
    expect(fp!.sum).toBe('NaN');
  });

  it('match within tolerance and differ beyond it (property, 2k runs)', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 200 }), (values) => {
        const base = Float32Array.from(values);
        const close = base.map((v) => v * (1 + 1e-5));
        const far = base.map((v, i) => (i === 0 ? v + 50 : v));
        const fp = fingerprintOutputs([tensor('y', 'FP32', base)]);
        expect(fingerprintsMatch(fp, fingerprintOutputs([tensor('y', 'FP32', close)]))).toBe(true);
        expect(fingerprintsMatch(fp, fingerprintOutputs([tensor('y', 'FP32', far)]))).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});
