// The test-model builders produce real models: onnxruntime runs the well-formed ones and computes what
// they claim, and the hostile ones really are hostile (external data is read, the bomb asks for 1 TiB).
// The bomb only ever runs in a child process under an address-space limit.
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { Datatype } from '../../../common/tensor.js';
import {
  buildAllocationBomb,
  buildDeepNesting,
  buildExternalDataModel,
  buildFunctionModel,
  buildHugeOutputModel,
  buildIdentity,
  buildMlp,
  buildSlowModel,
  buildSparseInitializerModel,
  mlpForward,
  seededRandom,
} from '../../helpers/onnx-models.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const session = (bytes: Uint8Array) => ort.InferenceSession.create(bytes, { intraOpNumThreads: 2, logSeverityLevel: 3 });
const floats = (...values: number[]) => new ort.Tensor('float32', Float32Array.from(values), [values.length]);

describe('buildMlp', () => {
  it.each(['dynamic', 3] as const)('computes Relu(x·W1 + b1)·W2 + b2 (batch %s)', async (batch) => {
    const options = { inputDim: 5, hidden: 16, outputDim: 4, batch, seed: 42 };
    const s = await session(buildMlp(options));
    const next = seededRandom(9);
    const x = Float32Array.from({ length: 3 * 5 }, () => next());
    const { y } = await s.run({ x: new ort.Tensor('float32', x, [3, 5]) });
    expect(y!.dims).toEqual([3, 4]);
    const expected = mlpForward(options, x);
    (y!.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
  });

  it('gives different weights for different seeds', () => {
    const a = buildMlp({ inputDim: 2, hidden: 2, outputDim: 2, batch: 1, seed: 1 });
    const b = buildMlp({ inputDim: 2, hidden: 2, outputDim: 2, batch: 1, seed: 2 });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });
});

const samples: Record<Datatype, () => ort.Tensor> = {
  BOOL: () => new ort.Tensor('bool', Uint8Array.of(1, 0, 1), [3]),
  UINT8: () => new ort.Tensor('uint8', Uint8Array.of(0, 7, 255), [3]),
  INT8: () => new ort.Tensor('int8', Int8Array.of(-128, 0, 127), [3]),
  UINT16: () => new ort.Tensor('uint16', Uint16Array.of(0, 1, 65535), [3]),
  INT16: () => new ort.Tensor('int16', Int16Array.of(-32768, 5, 32767), [3]),
  UINT32: () => new ort.Tensor('uint32', Uint32Array.of(0, 9, 4294967295), [3]),
  INT32: () => new ort.Tensor('int32', Int32Array.of(-2147483648, 3, 2147483647), [3]),
  UINT64: () => new ort.Tensor('uint64', BigUint64Array.of(0n, 2n ** 64n - 1n, 5n), [3]),
  INT64: () => new ort.Tensor('int64', BigInt64Array.of(-(2n ** 63n), 0n, 2n ** 63n - 1n), [3]),
  FP16: () => new ort.Tensor('float16', Uint16Array.of(0x3c00, 0xc000, 0x7bff), [3]),
  FP32: () => floats(1.5, -0, 3.4e38),
  FP64: () => new ort.Tensor('float64', Float64Array.of(Math.PI, -1e300, 0), [3]),
  BYTES: () => new ort.Tensor('string', ['', 'héllo', '日本語 🙂'], [3]),
};

describe('buildIdentity', () => {
  it.each(Object.keys(samples) as Datatype[])('passes %s through unchanged', async (datatype) => {
    const s = await session(buildIdentity(datatype));
    const x = samples[datatype]();
    const { y } = await s.run({ x });
    expect(y!.type).toBe(x.type);
    expect(y!.dims).toEqual([3]);
    expect(Array.from(y!.data as ArrayLike<unknown>)).toEqual(Array.from(x.data as ArrayLike<unknown>));
  });

  it('meets a limit of onnxruntime-node worth knowing: a BYTES element is cut at its first NUL byte', async () => {
    // Whoever feeds BYTES tensors to onnxruntime must refuse (or at least flag) elements holding NUL.
    const s = await session(buildIdentity('BYTES'));
    const { y } = await s.run({ x: new ort.Tensor('string', ['ab\u0000cd'], [1]) });
    expect(Array.from(y!.data as string[])).toEqual(['ab']);
  });

  it('declares a fixed shape when asked and onnxruntime enforces it', async () => {
    const s = await session(buildIdentity('FP32', { shape: [2] }));
    await expect(s.run({ x: floats(1, 2, 3) })).rejects.toThrow(/dimension|shape/i);
  });
});

describe('buildDeepNesting and buildFunctionModel', () => {
  it('nests If subgraphs that onnxruntime runs down to the innermost branch', async () => {
    const s = await session(buildDeepNesting(6));
    const { y } = await s.run({ cond: new ort.Tensor('bool', [true], []), x: floats(4, 5) });
    expect(Array.from(y!.data as Float32Array)).toEqual([4, 5]);
  });

  it('builds model-local functions that onnxruntime inlines', async () => {
    const s = await session(buildFunctionModel({ levels: 3, callsPerLevel: 2 }));
    const { y } = await s.run({ x: floats(-1, 2) });
    expect(Array.from(y!.data as Float32Array)).toEqual([0, 2]);
  });
});

describe('buildHugeOutputModel', () => {
  it('turns a 4-byte input into as many floats as asked', async () => {
    const s = await session(buildHugeOutputModel(1000));
    const { y } = await s.run({ x: floats(7) });
    expect(y!.dims).toEqual([1000]);
    expect((y!.data as Float32Array).every((v) => v === 7)).toBe(true);
  });

  it('asks for 512 MiB by default, and onnxruntime loads it without running it', async () => {
    const s = await session(buildHugeOutputModel());
    expect(s.outputNames).toEqual(['y']);
  });
});

describe('buildSlowModel', () => {
  it('keeps onnxruntime busy for over a second with the default iterations', async () => {
    const s = await session(buildSlowModel());
    const x = new ort.Tensor('float32', new Float32Array(512 * 512).fill(0.5), [512, 512]);
    const started = performance.now();
    const { y } = await s.run({ x });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThan(1000);
    // Tanh keeps the state bounded and away from zero (denormals would make the timing erratic).
    const data = y!.data as Float32Array;
    expect(data.every((v) => Math.abs(v) <= 1)).toBe(true);
    expect(data.some((v) => Math.abs(v) > 0.01)).toBe(true);
  });

  it('scales with the iteration count', async () => {
    const time = async (iterations: number) => {
      const s = await session(buildSlowModel(iterations, 256));
      const x = new ort.Tensor('float32', new Float32Array(256 * 256).fill(0.5), [256, 256]);
      await s.run({ x }); // warm-up
      const started = performance.now();
      await s.run({ x });
      return performance.now() - started;
    };
    expect(await time(400)).toBeGreaterThan((await time(20)) * 4);
  });
});

describe('hostile models that onnxruntime would act on', () => {
  it('external data: onnxruntime reads the file from the working directory (what admission forbids)', async () => {
    const { dir, remove } = await makeTempDir();
    const before = process.cwd();
    try {
      await writeFile(join(dir, 'weights.bin'), new Uint8Array(Float32Array.of(10, 20, 30, 40).buffer));
      process.chdir(dir);
      // With graph optimizations on, onnxruntime 1.30 happens to fail first for a model loaded from bytes;
      // with them off it reads the file. Admission must not rely on an optimizer accident.
      const s = await ort.InferenceSession.create(buildExternalDataModel('weights.bin'), { graphOptimizationLevel: 'disabled', logSeverityLevel: 3 });
      const { y } = await s.run({ x: floats(1, 1, 1, 1) });
      expect(Array.from(y!.data as Float32Array)).toEqual([11, 21, 31, 41]);
    } finally {
      process.chdir(before);
      await remove();
    }
  });

  it('sparse initializer: onnxruntime densifies it', async () => {
    const s = await session(buildSparseInitializerModel());
    const { y } = await s.run({ x: floats(0, 0, 0, 0) });
    expect(Array.from(y!.data as Float32Array)).toEqual([1, 0, 0, 2]);
  });

  it.runIf(process.platform === 'linux' && spawnSync('prlimit', ['--version']).status === 0)(
    'allocation bomb: asks for 1 TiB, which an address-space limit turns into an error (in a child process)',
    async () => {
      const { dir, remove } = await makeTempDir();
      try {
        const model = join(dir, 'bomb.onnx');
        await writeFile(model, buildAllocationBomb());
        const script = `
          import { createRequire } from 'node:module';
          import { readFileSync } from 'node:fs';
          const ort = createRequire(process.cwd() + '/package.json')('onnxruntime-node');
          const s = await ort.InferenceSession.create(readFileSync(process.argv[1]), { logSeverityLevel: 4 });
          try { await s.run({ n: new ort.Tensor('int64', BigInt64Array.of(1n), [1]) }); console.log('RAN'); }
          catch (e) { console.log('REFUSED ' + e.message); }`;
        const child = spawnSync('prlimit', [`--as=${6 * 1024 ** 3}`, process.execPath, '--input-type=module', '-e', script, model], {
          encoding: 'utf8',
          timeout: 60_000,
        });
        expect(child.status).toBe(0);
        expect(child.stdout).toMatch(/REFUSED .*Failed to allocate memory for requested buffer of size 1099511627776/);
      } finally {
        await remove();
      }
    },
  );
});
