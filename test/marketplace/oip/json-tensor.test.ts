import { describe, expect, it } from 'vitest';
import { halfToFloat } from '../../../common/fingerprint.js';
import type { Tensor } from '../../../common/tensor.js';
import { floatToHalf, jsonDataText, tensorFromJson } from '../../../marketplace/oip/json-tensor.js';

const ok = (value: Tensor | string): Tensor => {
  if (typeof value === 'string') throw new Error(value);
  return value;
};

describe('OIP JSON tensor data', () => {
  it('packs each datatype row-major, nested arrays flattened', () => {
    expect(Array.from(new Float32Array(ok(tensorFromJson('x', 'FP32', [2, 2], [[1, 2], [3, 4.5]])).data.buffer))).toEqual([1, 2, 3, 4.5]);
    expect(Array.from(new Int32Array(ok(tensorFromJson('x', 'INT32', [2], [-2147483648, 2147483647])).data.buffer))).toEqual([-2147483648, 2147483647]);
    expect(Array.from(new BigInt64Array(ok(tensorFromJson('x', 'INT64', [], [16000])).data.buffer))).toEqual([16000n]);
    expect(Array.from(ok(tensorFromJson('x', 'BOOL', [3], [true, false, true])).data)).toEqual([1, 0, 1]);
    expect(Array.from(ok(tensorFromJson('x', 'BYTES', [1], ['hé'])).data)).toEqual([3, 0, 0, 0, 0x68, 0xc3, 0xa9]);
    expect(Array.from(new Uint16Array(ok(tensorFromJson('x', 'FP16', [2], [1, -2])).data.buffer))).toEqual([0x3c00, 0xc000]);
  });

  it.each([
    ['INT32', [1.5], /element 0 is 1.5, not an integer/],
    ['UINT8', [256], /within 0…255/],
    ['INT8', [-129], /within -128…127/],
    ['INT64', [2 ** 53], /JSON can carry exactly/],
    ['UINT64', [-1], /JSON can carry exactly/],
    ['BOOL', [0], /not true or false/],
    ['FP32', ['1'], /not a number/],
    ['FP32', [1e39], /within FP32 range/],
    ['FP16', [70000], /FP16 range/],
    ['BYTES', [7], /not a string/],
    ['INT32', [true], /not an integer/],
  ] as const)('refuses %s data %j', (datatype, data, message) => {
    expect(tensorFromJson('x', datatype, [1], data)).toMatch(message);
  });

  it('refuses data that is not an array or does not fill the shape', () => {
    expect(tensorFromJson('x', 'FP32', [2], 3)).toMatch(/needs a JSON array/);
    expect(tensorFromJson('x', 'FP32', [2, 3], [1, 2, 3])).toMatch(/holds 6 elements; its data has 3/);
  });

  it('rounds to the nearest half-precision value, to even on ties', () => {
    for (const value of [0, 1, -1, 0.5, 65504, 6.1e-5, 5.96e-8, 0.1, 1 / 3]) {
      const back = halfToFloat(floatToHalf(value));
      expect(Math.abs(back - value)).toBeLessThanOrEqual(Math.abs(value) * 2 ** -11 + 2 ** -25);
    }
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00);
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(floatToHalf(Number.POSITIVE_INFINITY)).toBe(0x7c00);
  });

  it('writes data back as JSON text: exact 64-bit integers, named non-finite floats, UTF-8 strings', () => {
    const int64: Tensor = { name: 'y', datatype: 'INT64', shape: [2], data: new Uint8Array(BigInt64Array.of(2n ** 62n + 1n, -5n).buffer) };
    expect(jsonDataText(int64)).toBe('[4611686018427387905,-5]');
    const floats: Tensor = { name: 'y', datatype: 'FP32', shape: [3], data: new Uint8Array(Float32Array.of(0.5, Number.NaN, Number.NEGATIVE_INFINITY).buffer) };
    expect(JSON.parse(jsonDataText(floats)!)).toEqual([0.5, 'NaN', '-Infinity']);
    const round = ok(tensorFromJson('y', 'FP32', [2], [0.1, -3.25]));
    expect(new Float32Array(JSON.parse(jsonDataText(round)!) as number[])).toEqual(new Float32Array(round.data.buffer));
    expect(jsonDataText(ok(tensorFromJson('y', 'BYTES', [2], ['a', 'ü'])))).toBe('["a","ü"]');
    expect(jsonDataText({ name: 'y', datatype: 'BYTES', shape: [1], data: Uint8Array.of(1, 0, 0, 0, 0xff) })).toBeNull();
    expect(jsonDataText(ok(tensorFromJson('y', 'BOOL', [2], [false, true])))).toBe('[false,true]');
  });
});
