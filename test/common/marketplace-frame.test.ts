import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, tensorHeads } from '../../common/marketplace-frame.js';
import { FromCoordinator, FromProvider, MAX_HEADER_BYTES } from '../../common/marketplace-protocol.js';
import type { Tensor } from '../../common/tensor.js';

const fp32 = (name: string, values: number[]): Tensor => {
  const data = Float32Array.from(values);
  return { name, datatype: 'FP32', shape: [values.length], data: new Uint8Array(data.buffer) };
};

const offer = (inputs: Tensor[]) => ({
  type: 'job.offer',
  job: {
    id: 'job-1',
    deadline: 1_900_000_000_000,
    model: { sha256: 'a'.repeat(64), bytes: 1234, url: 'http://127.0.0.1:1/models/' + 'a'.repeat(64) },
    inputSha256: 'b'.repeat(64),
    price: { token: '0x' + '1'.repeat(40), amount: '1000000000000000000000' },
    verification: 'none',
  },
  signature: '0x' + 'ab'.repeat(65),
  inputs: tensorHeads(inputs),
});

describe('marketplace frames', () => {
  it('round-trips a message and its tensors without copying them', () => {
    const inputs = [fp32('x', [1, 2, 3]), fp32('y', [4])];
    const decoded = decodeFrame(encodeFrame(offer(inputs), inputs), FromCoordinator);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.message.type).toBe('job.offer');
    expect(decoded.tensors.map((t) => [t.name, [...new Float32Array(t.data.slice().buffer)]])).toEqual([
      ['x', [1, 2, 3]],
      ['y', [4]],
    ]);
  });

  it.each([
    ['too short', new Uint8Array(3), 'frame_malformed'],
    ['wrong magic', new Uint8Array(16), 'frame_malformed'],
    ['header past the end', (() => { const f = encodeFrame({ type: 'bye' }); new DataView(f.buffer).setUint32(4, 1000, true); return f; })(), 'frame_malformed'],
    ['header over the limit', (() => { const f = encodeFrame({ type: 'bye' }); new DataView(f.buffer).setUint32(4, MAX_HEADER_BYTES + 1, true); return f; })(), 'frame_malformed'],
    ['trailing bytes', (() => { const f = encodeFrame({ type: 'job.cancel', jobId: 'j', reason: 'x' }); const g = new Uint8Array(f.length + 2); g.set(f); return g; })(), 'frame_malformed'],
    ['not the protocol', encodeFrame({ type: 'job.result', jobId: '../x' }), 'frame_invalid'],
    ['a float price', encodeFrame({ ...offer([]), job: { ...offer([]).job, price: { token: '0x' + '1'.repeat(40), amount: '1.5' } } }), 'frame_invalid'],
    ['tensor bytes that do not match the shape', encodeFrame(offer([{ ...fp32('x', [1, 2]), shape: [3] }]), [fp32('x', [1, 2])]), 'frame_invalid'],
    ['tensor running past the end', encodeFrame(offer([fp32('x', [1, 2])])), 'frame_malformed'],
  ])('refuses %s with a stable code', (_label, frame, code) => {
    const decoded = decodeFrame(frame as Uint8Array<ArrayBuffer>, FromCoordinator);
    expect(decoded).toMatchObject({ ok: false, error: { code } });
  });

  it('refuses a frame over the size cap before parsing it', () => {
    expect(decodeFrame(new Uint8Array(2048), FromProvider, 1024)).toMatchObject({ ok: false, error: { code: 'frame_too_large' } });
  });

  it('never throws on arbitrary bytes or arbitrary headers (fuzz, 10k runs each)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        expect(typeof decodeFrame(bytes as Uint8Array<ArrayBuffer>, FromProvider).ok).toBe('boolean');
      }),
      { numRuns: 10_000 },
    );
    fc.assert(
      fc.property(fc.jsonValue(), fc.uint8Array({ maxLength: 64 }), (header, tail) => {
        const frame = encodeFrame(header as object);
        const withTail = new Uint8Array(frame.length + tail.length);
        withTail.set(frame);
        withTail.set(tail, frame.length);
        expect(typeof decodeFrame(withTail, FromCoordinator).ok).toBe('boolean');
      }),
      { numRuns: 10_000 },
    );
  });
});
