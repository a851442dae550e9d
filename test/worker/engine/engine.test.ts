/**
 * The engine with real onnxruntime on real models (Silero VAD, PP-OCRv4 recognition) and on models
 * built in code: outputs equal onnxruntime run directly, every OIP datatype round-trips, sessions are
 * cached and evicted under the budget, and each failure has its code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InferenceSession } from 'onnxruntime-node';
import type { Datatype, Tensor } from '../../../common/tensor.js';
import type { WorkerConfig } from '../../../common/worker-protocol.js';
import { Engine } from '../../../worker/engine/engine.js';
import { estimateSessionBytes } from '../../../worker/engine/session-cache.js';
import { readAdmittedModel } from '../../../worker/engine/model-loader.js';
import { WorkerFailure } from '../../../worker/inference/worker-error.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { buildHugeOutputModel, buildIdentity, buildMlp } from '../../helpers/onnx-models.js';
import { OCR_REC_MODEL, VAD_MODEL, comparable, modelBytes, ocrInputs, runDirect, tensor, testConfig, textTensor, vadInputs, writeModel } from './worker-fixtures.js';

let dir: string;
let remove: () => Promise<void>;

beforeAll(async () => {
  ({ dir, remove } = await makeTempDir('hearth-engine-'));
});
afterAll(() => remove());

function engineFor(config: WorkerConfig): Engine {
  return new Engine(config, {
    readModel: (sha256) => readAdmittedModel(config, sha256),
    createSession: (bytes, options) => InferenceSession.create(bytes, options),
  });
}

async function failureOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const thrown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(thrown).toBeInstanceOf(WorkerFailure);
  return (thrown as WorkerFailure).error;
}

const MAX_OUT = 16 * 1024 * 1024;

describe('engine on real models', () => {
  it('returns what onnxruntime returns directly for Silero VAD', async () => {
    const bytes = modelBytes(VAD_MODEL);
    const sha256 = await writeModel(dir, bytes);
    const engine = engineFor(testConfig(dir));
    const result = await engine.run({ sha256, inputs: vadInputs(3), maxOutputBytes: MAX_OUT });
    expect(comparable(result.outputs)).toEqual(comparable(await runDirect(bytes, vadInputs(3))));
    expect(result.provider).toBe('cpu');
    expect(result.loadMs).toBeGreaterThan(0);
    const again = await engine.run({ sha256, inputs: vadInputs(3), maxOutputBytes: MAX_OUT });
    expect(again.loadMs).toBe(0);
    expect(comparable(again.outputs)).toEqual(comparable(result.outputs));
  });

  it('returns what onnxruntime returns directly for PP-OCRv4 recognition', async () => {
    const bytes = modelBytes(OCR_REC_MODEL);
    const sha256 = await writeModel(dir, bytes);
    const engine = engineFor(testConfig(dir));
    const result = await engine.run({ sha256, inputs: ocrInputs(320), maxOutputBytes: MAX_OUT });
    expect(result.outputs[0]!.shape).toEqual([1, 40, 6625]);
    expect(comparable(result.outputs)).toEqual(comparable(await runDirect(bytes, ocrInputs(320))));
  });

  it('returns only the outputs asked for', async () => {
    const sha256 = await writeModel(dir, modelBytes(VAD_MODEL));
    const result = await engineFor(testConfig(dir)).run({ sha256, inputs: vadInputs(), outputs: ['stateN'], maxOutputBytes: MAX_OUT });
    expect(result.outputs.map((o) => o.name)).toEqual(['stateN']);
  });
});

const SAMPLES: Record<Datatype, ArrayBufferView | string[]> = {
  BOOL: Uint8Array.of(1, 0, 1, 1, 0, 0),
  UINT8: Uint8Array.of(0, 1, 127, 128, 254, 255),
  INT8: Int8Array.of(-128, -1, 0, 1, 64, 127),
  UINT16: Uint16Array.of(0, 1, 300, 40000, 65534, 65535),
  INT16: Int16Array.of(-32768, -1, 0, 1, 300, 32767),
  UINT32: Uint32Array.of(0, 1, 70000, 2 ** 31, 2 ** 32 - 2, 2 ** 32 - 1),
  INT32: Int32Array.of(-(2 ** 31), -1, 0, 1, 70000, 2 ** 31 - 1),
  UINT64: BigUint64Array.of(0n, 1n, 2n ** 40n, 2n ** 63n, 2n ** 64n - 2n, 2n ** 64n - 1n),
  INT64: BigInt64Array.of(-(2n ** 63n), -1n, 0n, 1n, 2n ** 40n, 2n ** 63n - 1n),
  // 1, -2, 0.5, -0, +inf, 65504 as IEEE half words
  FP16: Uint16Array.of(0x3c00, 0xc000, 0x3800, 0x8000, 0x7c00, 0x7bff),
  FP32: Float32Array.of(-1.5, 0, 3.25, 1e-30, -Infinity, 3.4e38),
  FP64: Float64Array.of(-1.5, 0, Math.PI, 1e-300, Infinity, -1e300),
  BYTES: ['a', '', 'héllo', '漢字', 'x'.repeat(100), '🙂 z'],
};

describe('every OIP datatype through an Identity model', () => {
  for (const [datatype, values] of Object.entries(SAMPLES) as [Datatype, ArrayBufferView | string[]][]) {
    it(`round-trips ${datatype}`, async () => {
      const sha256 = await writeModel(dir, buildIdentity(datatype, { shape: ['N', 3] }));
      const input: Tensor = Array.isArray(values)
        ? textTensor('x', [2, 3], values)
        : tensor('x', datatype, [2, 3], values);
      const result = await engineFor(testConfig(dir)).run({ sha256, inputs: [input], maxOutputBytes: MAX_OUT });
      expect(comparable(result.outputs)).toEqual(comparable([{ ...input, name: 'y' }]));
    });
  }
});

describe('engine failures', () => {
  it('says model_missing for a model not in the cache', async () => {
    const error = await failureOf(engineFor(testConfig(dir)).run({ sha256: 'ab'.repeat(32), inputs: [], maxOutputBytes: MAX_OUT }));
    expect(error.code).toBe('model_missing');
  });

  it('says output_too_large when the outputs pass the cap, after the run', async () => {
    const sha256 = await writeModel(dir, buildHugeOutputModel(1024 * 1024));
    const engine = engineFor(testConfig(dir));
    const error = await failureOf(engine.run({ sha256, inputs: [tensor('x', 'FP32', [1], Float32Array.of(1))], maxOutputBytes: 4 * 1024 * 1024 - 1 }));
    expect(error).toEqual({ code: 'output_too_large', message: 'The outputs are 4194304 bytes; the limit is 4194303.' });
    const fits = await engine.run({ sha256, inputs: [tensor('x', 'FP32', [1], Float32Array.of(1))], maxOutputBytes: 4 * 1024 * 1024 });
    expect(fits.outputs[0]!.shape).toEqual([1024 * 1024]);
  });

  it('validates inputs before building tensors (input_invalid, input_too_large)', async () => {
    const sha256 = await writeModel(dir, buildMlp({ inputDim: 4, hidden: 8, outputDim: 2, batch: 'dynamic', seed: 1 }));
    const engine = engineFor(testConfig(dir, { limits: { ...testConfig(dir).limits, maxInputElements: 16 } }));
    const run = (inputs: Tensor[]) => failureOf(engine.run({ sha256, inputs, maxOutputBytes: MAX_OUT }));
    expect((await run([tensor('x', 'FP64', [1, 4], new Float64Array(4))])).code).toBe('input_invalid');
    expect((await run([tensor('x', 'FP32', [1, 5], new Float32Array(5))])).code).toBe('input_invalid');
    expect((await run([tensor('x', 'FP32', [5, 4], new Float32Array(20))])).code).toBe('input_too_large');
  });

  it('knows a scalar input from an undeclared shape (onnxruntime reports both as [])', async () => {
    const sha256 = await writeModel(dir, modelBytes(VAD_MODEL));
    const inputs = vadInputs();
    inputs[2] = tensor('sr', 'INT64', [1], BigInt64Array.of(16000n));
    expect(await failureOf(engineFor(testConfig(dir)).run({ sha256, inputs, maxOutputBytes: MAX_OUT }))).toEqual({
      code: 'input_invalid',
      message: "Input 'sr' has shape [1]; the model expects [].",
    });
  });

  it('says model_invalid when the bytes are not a model', async () => {
    const sha256 = await writeModel(dir, new TextEncoder().encode('not a model at all'));
    expect((await failureOf(engineFor(testConfig(dir)).load(sha256))).code).toBe('model_invalid');
  });
});

describe('session cache', () => {
  it('keeps models warm, reports them, and evicts the least recently used under the budget', async () => {
    const models = await Promise.all([1, 2, 3].map((seed) => writeModel(dir, buildMlp({ inputDim: 4, hidden: 8, outputDim: 2, batch: 'dynamic', seed }))));
    const one = estimateSessionBytes(buildMlp({ inputDim: 4, hidden: 8, outputDim: 2, batch: 'dynamic', seed: 1 }).byteLength);
    const changes: string[][] = [];
    const config = testConfig(dir, { sessionBudgetBytes: 2 * one });
    const engine = new Engine(config, {
      readModel: (sha256) => readAdmittedModel(config, sha256),
      createSession: (bytes, options) => InferenceSession.create(bytes, options),
      onCacheChange: (warm) => changes.push(warm),
    });
    const [a, b, c] = models as [string, string, string];
    await engine.load(a);
    await engine.load(b);
    expect(engine.cacheState()).toEqual({ warmModels: [b, a], sessionBytes: 2 * one });
    expect((await engine.load(a)).loadMs).toBe(0); // a is now the most recently used
    await engine.load(c); // over budget: b goes
    expect(engine.cacheState().warmModels).toEqual([c, a]);
    expect(changes.at(-1)).toEqual([c, a]);
    expect((await engine.load(b)).loadMs).toBeGreaterThan(0);
    expect(engine.evict(b)).toEqual({ evicted: true });
    expect(engine.evict(b)).toEqual({ evicted: false });
    expect(engine.cacheState().warmModels).toEqual([c]);
  });
});

describe('intra-op threads fitted to the model (thread-fit.ts)', () => {
  /** An engine that notes the thread count of every session it makes and every session it releases. */
  function countingEngine(config: WorkerConfig) {
    const made: number[] = [];
    let released = 0;
    const engine = new Engine(config, {
      readModel: (sha256) => readAdmittedModel(config, sha256),
      createSession: async (bytes, options) => {
        made.push(options.intraOpNumThreads ?? 0);
        const session = await InferenceSession.create(bytes, options);
        const release = session.release.bind(session);
        return Object.assign(session, { release: () => ((released += 1), release()) });
      },
    });
    return { engine, made, released: () => released };
  }
  const settle = async (made: number[], count: number) => {
    for (let i = 0; i < 200 && made.length < count; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 50));
  };

  it('re-makes a sub-millisecond model (Silero VAD) with one thread, swaps it in between runs and keeps its outputs', async () => {
    const bytes = modelBytes(VAD_MODEL);
    const sha256 = await writeModel(dir, bytes);
    const { engine, made, released } = countingEngine(testConfig(dir));
    const first = await engine.run({ sha256, inputs: vadInputs(1), maxOutputBytes: MAX_OUT });
    for (let i = 0; i < 40 && made.length < 2; i++) await engine.run({ sha256, inputs: vadInputs(1), maxOutputBytes: MAX_OUT });
    await settle(made, 2);
    expect(made).toEqual([2, 1]);
    const after = await engine.run({ sha256, inputs: vadInputs(1), maxOutputBytes: MAX_OUT });
    expect(released()).toBe(1);
    expect(after.loadMs).toBe(0);
    expect(comparable(after.outputs)).toEqual(comparable(first.outputs));
    expect(engine.cacheState().warmModels).toEqual([sha256]);
    expect(engine.evict(sha256)).toEqual({ evicted: true });
    await settle(made, 2);
    expect(released()).toBe(2);
  });

  it('keeps every thread for a model that takes milliseconds (PP-OCRv4 recognition), and for a one-thread worker', async () => {
    const bytes = modelBytes(OCR_REC_MODEL);
    const sha256 = await writeModel(dir, bytes);
    const { engine, made } = countingEngine(testConfig(dir));
    for (let i = 0; i < 24; i++) await engine.run({ sha256, inputs: ocrInputs(), maxOutputBytes: MAX_OUT });
    await settle(made, 2);
    expect(made).toEqual([2]);
    const vad = await writeModel(dir, modelBytes(VAD_MODEL));
    const single = countingEngine({ ...testConfig(dir), intraOpNumThreads: 1 });
    for (let i = 0; i < 24; i++) await single.engine.run({ sha256: vad, inputs: vadInputs(1), maxOutputBytes: MAX_OUT });
    await settle(single.made, 2);
    expect(single.made).toEqual([1]);
  });
});
