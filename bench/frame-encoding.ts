/**
 * Binary HRT1 frames against base64-in-JSON (and JSON number arrays, for reference) on OCR-recognition-
 * sized tensors: a job.offer with one 184,320-byte input (FP32 [1,3,48,320]) and a job.result with one
 * 1,060,000-byte output (FP32 [1,40,6625]). Each codec encodes the message to the bytes a WebSocket
 * sends and decodes them back to tensors with the header validated by the protocol's zod schema.
 * Prints the median of many runs; the figures go in docs/protocol.md. Not a test: a benchmark.
 *
 *   npx rolldown bench/frame-encoding.ts -p node -f esm --external zod -o node_modules/.cache/hearth-bench/frames.mjs
 *   node node_modules/.cache/hearth-bench/frames.mjs
 */
import { z } from 'zod';
import { decodeFrame, encodeFrame, tensorHeads } from '../common/marketplace-frame.js';
import { FromCoordinator, FromProvider, JobSpec, Receipt } from '../common/marketplace-protocol.js';
import { Datatype, type Tensor, TensorName } from '../common/tensor.js';

const sha = 'a'.repeat(64);
const job = { id: 'job-1', deadline: 1_900_000_000_000, model: { sha256: sha, bytes: 10_800_000, url: 'https://models.example/rec.onnx' }, inputSha256: sha, price: { token: `0x${'1'.repeat(40)}`, amount: '1000' }, verification: 'none' as const };
const receipt = { jobId: 'job-1', modelSha256: sha, inputSha256: sha, outputSha256: sha, fingerprintHash: `0x${sha}`, runMs: 11, executionProvider: 'cpu' as const, deviceId: 'cpu', seq: 1 };
const signature = `0x${'ab'.repeat(65)}`;

function randomTensor(name: string, shape: number[]): Tensor {
  const values = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.random());
  return { name, datatype: 'FP32', shape, data: new Uint8Array(values.buffer) };
}

type Codec = { name: string; encode: (t: Tensor) => Uint8Array; decode: (bytes: Uint8Array) => Tensor };
type Kind = 'offer' | 'result';

function binary(kind: Kind): Codec {
  const schema = kind === 'offer' ? FromCoordinator : FromProvider;
  return {
    name: 'binary HRT1',
    encode: (t) => encodeFrame(kind === 'offer' ? { type: 'job.offer', job, signature, inputs: tensorHeads([t]) } : { type: 'job.result', jobId: 'job-1', receipt, signature, outputs: tensorHeads([t]) }, [t]),
    decode: (bytes) => {
      const decoded = decodeFrame(bytes as Uint8Array<ArrayBuffer>, schema);
      if (!decoded.ok) throw new Error(decoded.error.message);
      return decoded.tensors[0]!;
    },
  };
}

const JsonTensor = <D extends z.ZodType>(data: D) => z.object({ name: TensorName, datatype: Datatype, shape: z.array(z.number().int().nonnegative()).max(8), data });
function jsonSchema<D extends z.ZodType>(kind: Kind, data: D) {
  return kind === 'offer'
    ? z.object({ type: z.literal('job.offer'), job: JobSpec, signature: z.string(), inputs: z.array(JsonTensor(data)).max(64) })
    : z.object({ type: z.literal('job.result'), jobId: z.string(), receipt: Receipt, signature: z.string(), outputs: z.array(JsonTensor(data)).max(64) });
}
function message(kind: Kind, tensor: object): object {
  return kind === 'offer' ? { type: 'job.offer', job, signature, inputs: [tensor] } : { type: 'job.result', jobId: 'job-1', receipt, signature, outputs: [tensor] };
}
const tensorOf = (kind: Kind, parsed: { inputs?: unknown[]; outputs?: unknown[] }) => (kind === 'offer' ? parsed.inputs : parsed.outputs)![0] as { name: string; shape: number[] };

function base64Json(kind: Kind): Codec {
  const schema = jsonSchema(kind, z.string().max(128 * 1024 * 1024));
  return {
    name: 'base64 in JSON',
    encode: (t) => Buffer.from(JSON.stringify(message(kind, { name: t.name, datatype: t.datatype, shape: t.shape, data: Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('base64') }))),
    decode: (bytes) => {
      const parsed = schema.parse(JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')));
      const t = tensorOf(kind, parsed) as { name: string; shape: number[]; data: string };
      const raw = Buffer.from(t.data, 'base64');
      return { name: t.name, datatype: 'FP32', shape: t.shape, data: new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength) };
    },
  };
}

function numberJson(kind: Kind): Codec {
  const schema = jsonSchema(kind, z.array(z.number()).max(64 * 1024 * 1024));
  return {
    name: 'JSON numbers',
    encode: (t) => Buffer.from(JSON.stringify(message(kind, { name: t.name, datatype: t.datatype, shape: t.shape, data: Array.from(new Float32Array(t.data.buffer, t.data.byteOffset, t.data.byteLength / 4)) }))),
    decode: (bytes) => {
      const parsed = schema.parse(JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')));
      const t = tensorOf(kind, parsed) as { name: string; shape: number[]; data: number[] };
      return { name: t.name, datatype: 'FP32', shape: t.shape, data: new Uint8Array(Float32Array.from(t.data).buffer) };
    },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function measure(codec: Codec, tensor: Tensor, runs: number): { bytes: number; encodeMs: number; decodeMs: number } {
  const encodes: number[] = [];
  const decodes: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs + 5; i++) {
    const a = performance.now();
    const wire = codec.encode(tensor);
    const b = performance.now();
    const back = codec.decode(wire);
    const c = performance.now();
    if (back.data.byteLength !== tensor.data.byteLength) throw new Error(`${codec.name} lost bytes`);
    bytes = wire.byteLength;
    // The first runs warm the JIT.
    if (i >= 5) {
      encodes.push(b - a);
      decodes.push(c - b);
    }
  }
  return { bytes, encodeMs: median(encodes), decodeMs: median(decodes) };
}

const cases: [Kind, Tensor][] = [
  ['offer', randomTensor('x', [1, 3, 48, 320])],
  ['result', randomTensor('softmax', [1, 40, 6625])],
];
console.log(`node ${process.version}, ${process.arch}`);
console.log('| frame | codec | bytes on the wire | encode ms | decode ms | total ms |');
console.log('|---|---|---:|---:|---:|---:|');
for (const [kind, tensor] of cases) {
  for (const codec of [binary(kind), base64Json(kind), numberJson(kind)]) {
    const runs = codec.name === 'JSON numbers' ? 30 : 200;
    const { bytes, encodeMs, decodeMs } = measure(codec, tensor, runs);
    console.log(`| job.${kind} (${(tensor.data.byteLength / 1000).toFixed(0)} kB tensor) | ${codec.name} | ${bytes.toLocaleString('en')} | ${encodeMs.toFixed(3)} | ${decodeMs.toFixed(3)} | ${(encodeMs + decodeMs).toFixed(3)} |`);
  }
}
