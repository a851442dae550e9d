/** The outputs' sha256 over a canonical encoding. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fingerprintOutputs } from '../../../common/fingerprint.js';
import { digestOutputs, outputSha256 } from '../../../worker/inference/output-digest.js';
import { tensor } from '../engine/worker-fixtures.js';

const a = tensor('a', 'FP32', [2], Float32Array.of(1, 2));
const b = tensor('b', 'INT64', [1, 1], BigInt64Array.of(7n));

describe('outputSha256', () => {
  it('does not depend on the order outputs come in', () => {
    expect(outputSha256([a, b])).toBe(outputSha256([b, a]));
  });

  it('changes with the name, datatype, shape or bytes', () => {
    const base = outputSha256([a]);
    expect(outputSha256([{ ...a, name: 'c' }])).not.toBe(base);
    expect(outputSha256([{ ...a, datatype: 'INT32' }])).not.toBe(base);
    expect(outputSha256([{ ...a, shape: [1, 2] }])).not.toBe(base);
    expect(outputSha256([{ ...a, data: Uint8Array.of(0, 0, 128, 63, 0, 0, 0, 65) }])).not.toBe(base);
  });

  it('is the sha256 of the documented encoding', () => {
    // u32 name len, name, u32 datatype len, datatype, u32 rank, u64 dims, u64 data len, data (little-endian)
    const encoded = Buffer.concat([
      Buffer.from([1, 0, 0, 0]),
      Buffer.from('a'),
      Buffer.from([4, 0, 0, 0]),
      Buffer.from('FP32'),
      Buffer.from([1, 0, 0, 0]),
      Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]),
      Buffer.from([8, 0, 0, 0, 0, 0, 0, 0]),
      Buffer.from(a.data),
    ]);
    expect(outputSha256([a])).toBe(createHash('sha256').update(encoded).digest('hex'));
  });
});

describe('digestOutputs', () => {
  it('gives the same sha256 and fingerprint as computing each on its own', () => {
    const floats = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 7);
    // A view at an odd offset: the fingerprint must read it as the same floats.
    const shifted = new Uint8Array(floats.byteLength + 1);
    shifted.set(new Uint8Array(floats.buffer), 1);
    const odd = { name: 'odd', datatype: 'FP32' as const, shape: [1000], data: shifted.subarray(1) };
    const half = tensor('h', 'FP16', [2], Uint16Array.of(0x3c00, 0xc000));
    for (const outputs of [[a, b], [b, a, odd, half], [tensor('big', 'FP32', [1000], floats)]]) {
      expect(digestOutputs(outputs)).toEqual({ outputSha256: outputSha256(outputs), fingerprint: fingerprintOutputs(outputs) });
    }
    expect(digestOutputs([odd]).fingerprint[0]!.sum).toBe(fingerprintOutputs([tensor('odd', 'FP32', [1000], floats)])[0]!.sum);
  });
});
