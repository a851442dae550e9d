/**
 * SECURITY.md 21: the marketplace frame decoder, with either side's schema, never throws — on random
 * bytes, on frames with random JSON headers, and on valid messages with fields and tensor heads mutated
 * — and whatever it accepts accounts for every byte of the frame.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from '../../../common/marketplace-frame.js';
import { FRAME_MAGIC, FromCoordinator, FromProvider } from '../../../common/marketplace-protocol.js';
import { Datatype } from '../../../common/tensor.js';

const RUNS = 10_000;
const sha = 'a'.repeat(64);
const receipt = { jobId: 'j', modelSha256: sha, inputSha256: sha, outputSha256: sha, fingerprintHash: `0x${sha}`, runMs: 1, executionProvider: 'cpu', deviceId: 'cpu', seq: 1 };
const job = { id: 'j', deadline: 1, model: { sha256: sha, bytes: 1, url: 'https://m.example/a' }, inputSha256: sha, price: { token: `0x${'1'.repeat(40)}`, amount: '1' }, verification: 'none' };
const templates: Record<string, unknown>[] = [
  { type: 'challenge', version: 1, nonce: '0x00', coordinator: `0x${'1'.repeat(40)}` },
  { type: 'welcome', providerId: `0x${'1'.repeat(40)}`, lastSeq: 0, heartbeatMs: 1 },
  { type: 'job.offer', job, signature: '0x', inputs: [] },
  { type: 'receipt.ack', jobId: 'j', seq: 1, credited: '0', signature: '0x' },
  { type: 'hello', version: 1, node: `0x${'1'.repeat(40)}`, app: 'a', devices: [], warmModels: [], benchmarks: {}, signature: '0x', resumeJobs: [] },
  { type: 'heartbeat', load: 0, inFlight: 0, freeVramBytes: null, warmModels: [], paused: null },
  { type: 'job.result', jobId: 'j', receipt, signature: '0x', outputs: [] },
  { type: 'job.fail', jobId: 'j', code: 'timeout', retryable: false, message: '' },
];

const head = fc.record({
  name: fc.oneof(fc.constant('x'), fc.string({ maxLength: 8 })),
  datatype: fc.oneof(fc.constantFrom(...Datatype.options), fc.string({ maxLength: 6 })),
  shape: fc.array(fc.oneof(fc.nat(8), fc.integer(), fc.double()), { maxLength: 9 }),
  byteLength: fc.oneof(fc.nat(64), fc.integer(), fc.constant(2 ** 32)),
});

/** A valid message with some fields replaced by arbitrary JSON, and random tensor heads. */
const mutated = fc
  .tuple(fc.constantFrom(...templates), fc.dictionary(fc.constantFrom('type', 'jobId', 'version', 'seq', 'receipt', 'job', 'signature', 'credited', 'x'), fc.jsonValue({ maxDepth: 2 })), fc.array(head, { maxLength: 4 }), fc.constantFrom('inputs', 'outputs'))
  .map(([template, changes, heads, key]) => ({ ...template, ...changes, [key]: heads }));

/** job.offer / job.result frames whose heads describe the bytes that follow (BYTES data is random, so often misframed). */
const withTensors = fc
  .tuple(
    fc.constantFrom(2, 6),
    fc.array(fc.tuple(fc.constantFrom('FP32', 'INT64', 'UINT8', 'FP16', 'BOOL', 'BYTES'), fc.array(fc.nat(4), { maxLength: 3 }), fc.uint8Array({ maxLength: 64 })), { minLength: 1, maxLength: 3 }),
  )
  .map(([template, specs]) => {
    const tensors = specs.map(([datatype, shape, random], i) => {
      const count = shape.reduce((a, b) => a * b, 1);
      const width = { FP32: 4, INT64: 8, UINT8: 1, FP16: 2, BOOL: 1, BYTES: 0 }[datatype]!;
      const data = width === 0 ? random : new Uint8Array(count * width).map((_, j) => random[j % Math.max(1, random.length)] ?? 0);
      return { name: `t${i}`, datatype, shape, data };
    });
    const heads = tensors.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape, byteLength: t.data.byteLength }));
    const message = templates[template]!;
    const header = message.type === 'job.offer' ? { ...message, inputs: heads } : { ...message, outputs: heads };
    const tail = new Uint8Array(tensors.reduce((sum, t) => sum + t.data.byteLength, 0));
    let at = 0;
    for (const t of tensors) {
      tail.set(t.data, at);
      at += t.data.byteLength;
    }
    return frame(header, tail);
  });

function frame(header: unknown, tail: Uint8Array, lengthDelta = 0): Uint8Array<ArrayBuffer> {
  const json = new TextEncoder().encode(JSON.stringify(header) ?? 'null');
  const out = new Uint8Array(8 + json.byteLength + tail.byteLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, FRAME_MAGIC, true);
  view.setUint32(4, (json.byteLength + lengthDelta) >>> 0, true);
  out.set(json, 8);
  out.set(tail, 8 + json.byteLength);
  return out;
}

const frames = fc.oneof(
  fc.uint8Array({ maxLength: 512 }).map((bytes) => new Uint8Array(bytes)),
  fc.tuple(fc.jsonValue({ maxDepth: 3 }), fc.uint8Array({ maxLength: 64 })).map(([header, tail]) => frame(header, tail)),
  fc.tuple(mutated, fc.uint8Array({ maxLength: 96 }), fc.integer({ min: -4, max: 4 })).map(([header, tail, delta]) => frame(header, tail, delta)),
  fc.tuple(fc.constantFrom(...templates), fc.uint8Array({ maxLength: 16 })).map(([header, tail]) => frame(header, tail)),
  withTensors,
);

const seen = { accepted: 0, withTensors: 0, refused: 0 };

function decodesSafely(bytes: Uint8Array<ArrayBuffer>): void {
  for (const schema of [FromCoordinator, FromProvider]) {
    const decoded = decodeFrame(bytes, schema, 4096);
    if (!decoded.ok) {
      seen.refused += 1;
      expect(['frame_too_large', 'frame_malformed', 'frame_invalid']).toContain(decoded.error.code);
      continue;
    }
    seen.accepted += 1;
    if (decoded.tensors.length > 0) seen.withTensors += 1;
    const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
    expect(8 + headerLength + decoded.tensors.reduce((sum, t) => sum + t.data.byteLength, 0)).toBe(bytes.byteLength);
  }
}

describe('marketplace frame decoder fuzz', () => {
  it(`never throws on random and mutated frames (${RUNS} runs, both schemas)`, () => {
    fc.assert(fc.property(frames, (bytes) => decodesSafely(bytes)), { numRuns: RUNS });
    // The fuzz reaches the accepting path, tensors included, not only the early refusals.
    expect(seen.accepted).toBeGreaterThan(100);
    expect(seen.withTensors).toBeGreaterThan(0);
  });

  it(`never throws on valid frames cut or extended at random (${RUNS} runs)`, () => {
    const valid = encodeFrame({ ...templates[6], outputs: [{ name: 'y', datatype: 'FP32', shape: [2], byteLength: 8 }] }, [{ name: 'y', datatype: 'FP32', shape: [2], data: new Uint8Array(8) }]);
    expect(decodeFrame(new Uint8Array(valid), FromProvider).ok).toBe(true);
    fc.assert(
      fc.property(fc.nat(valid.byteLength), fc.uint8Array({ maxLength: 16 }), (cut, extra) => {
        const bytes = new Uint8Array(cut + extra.byteLength);
        bytes.set(valid.subarray(0, cut));
        bytes.set(extra, cut);
        decodesSafely(bytes);
      }),
      { numRuns: RUNS },
    );
  });
});
