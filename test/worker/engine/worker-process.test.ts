/**
 * The built worker as a real child process with real onnxruntime on real models: the handshake, the
 * contract on every message, results equal to onnxruntime run directly, each error code, warm models
 * and eviction, a responsive control thread during a long run, shutdown, and no orphan when the parent
 * dies (SECURITY.md 10).
 */
import { fork } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintOutputs } from '../../../common/fingerprint.js';
import { RunResult, type WorkerConfig, type WorkerInfo } from '../../../common/worker-protocol.js';
import { estimateSessionBytes } from '../../../worker/engine/session-cache.js';
import { outputSha256 } from '../../../worker/inference/output-digest.js';
import { buildHugeOutputModel, buildIdentity, buildMlp, buildSlowModel } from '../../helpers/onnx-models.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { OCR_REC_MODEL, VAD_MODEL, WORKER_ENTRY, comparable, modelBytes, ocrInputs, randomFloats, runDirect, tensor, testConfig, vadInputs, writeModel } from './worker-fixtures.js';
import { type WorkerProcess, isAlive, startWorker, valueOf } from './worker-process.js';

let dir: string;
let remove: () => Promise<void>;
let vad: string;
let ocr: string;
const started: WorkerProcess[] = [];

beforeAll(async () => {
  ({ dir, remove } = await makeTempDir('hearth-worker-'));
  vad = await writeModel(dir, modelBytes(VAD_MODEL));
  ocr = await writeModel(dir, modelBytes(OCR_REC_MODEL));
});
afterEach(() => {
  for (const w of started.splice(0)) w.child.kill('SIGKILL');
});
afterAll(() => remove());

function worker(config: WorkerConfig | null = testConfig(dir)): WorkerProcess {
  const w = startWorker(config);
  started.push(w);
  return w;
}

const run = (w: WorkerProcess, sha256: string, inputs: unknown[], extra: object = {}) => w.call('run', { jobId: 'job-1', model: { sha256 }, inputs, ...extra });

describe('handshake', () => {
  it('answers ready with its pid, device and probed providers, cpu last', async () => {
    const w = worker(testConfig(dir, { deviceId: 'gpu-0', executionProviders: ['cuda', 'cpu'] }));
    const info = await w.ready;
    expect(info).toMatchObject({ pid: w.child.pid, deviceId: 'gpu-0', warmModels: [], sessionBytes: 0 });
    expect(info.executionProviders.map((p) => p.name)).toEqual(['cuda', 'cpu']);
    expect(info.executionProviders[1]).toEqual({ name: 'cpu', available: true, reason: null });
    expect(w.messages.find((m) => m.type === 'log' && m.msg === 'worker ready')).toBeDefined();
  });

  it('refuses calls before init, and survives malformed messages', async () => {
    const w = worker(null);
    expect(await w.call('info', {})).toEqual({ ok: false, error: { code: 'worker_unavailable', message: 'The worker has not finished starting.' } });
    w.send('not an object');
    w.send({ type: 'call', id: -1, method: 'run', params: {} });
    w.send({ type: 'call', id: 5, method: 'format-disk', params: {} });
    w.send({ type: 'init', config: { deviceId: 'x' } });
    w.send({ type: 'init', config: testConfig(dir) });
    await w.ready;
    w.send({ type: 'init', config: testConfig(dir) });
    expect(valueOf<WorkerInfo>(await w.call('info', {})).pid).toBe(w.child.pid);
    const warnings = w.messages.filter((m) => m.type === 'log' && m.level === 'warn').map((m) => (m.type === 'log' ? m.msg : ''));
    expect(warnings).toEqual([...Array(4).fill('ignored a malformed message from the supervisor'), 'ignored a second init']);
  });
});

describe('run', () => {
  it('returns onnxruntime’s own outputs for Silero VAD and PP-OCRv4, with hash, fingerprint, timings', async () => {
    const w = worker();
    await w.ready;
    for (const [sha256, path, inputs] of [
      [vad, VAD_MODEL, vadInputs(5)],
      [ocr, OCR_REC_MODEL, ocrInputs(256, 6)],
    ] as const) {
      const result = RunResult.parse(valueOf(await run(w, sha256, inputs)));
      expect(comparable(result.outputs)).toEqual(comparable(await runDirect(modelBytes(path), inputs)));
      expect(result.outputSha256).toBe(outputSha256(result.outputs));
      expect(result.fingerprint).toEqual(fingerprintOutputs(result.outputs));
      expect(result).toMatchObject({ executionProvider: 'cpu', deviceId: 'cpu-test', batchSize: 1 });
      expect(result.timings.loadMs).toBeGreaterThan(0);
      expect(result.timings.runMs).toBeGreaterThan(0);
      const warm = RunResult.parse(valueOf(await run(w, sha256, inputs)));
      expect(warm.timings.loadMs).toBe(0);
      expect(warm.outputSha256).toBe(result.outputSha256);
    }
  });

  it('round-trips every OIP datatype through Identity models', async () => {
    const w = worker();
    await w.ready;
    const cases = [
      tensor('x', 'BOOL', [3], Uint8Array.of(1, 0, 1)),
      tensor('x', 'UINT8', [2], Uint8Array.of(0, 255)),
      tensor('x', 'INT8', [2], Int8Array.of(-128, 127)),
      tensor('x', 'UINT16', [1], Uint16Array.of(65535)),
      tensor('x', 'INT16', [1], Int16Array.of(-32768)),
      tensor('x', 'UINT32', [1], Uint32Array.of(2 ** 32 - 1)),
      tensor('x', 'INT32', [2, 1], Int32Array.of(-(2 ** 31), 7)),
      tensor('x', 'UINT64', [1], BigUint64Array.of(2n ** 64n - 1n)),
      tensor('x', 'INT64', [1], BigInt64Array.of(-(2n ** 63n))),
      tensor('x', 'FP16', [2], Uint16Array.of(0x3c00, 0xc000)),
      tensor('x', 'FP32', [2], Float32Array.of(Math.PI, -0)),
      tensor('x', 'FP64', [2], Float64Array.of(Math.E, Number.MIN_VALUE)),
      { name: 'x', datatype: 'BYTES' as const, shape: [2], data: Uint8Array.of(2, 0, 0, 0, 104, 105, 0, 0, 0, 0) },
    ];
    for (const input of cases) {
      const sha256 = await writeModel(dir, buildIdentity(input.datatype));
      const result = RunResult.parse(valueOf(await run(w, sha256, [input])));
      expect(comparable(result.outputs)).toEqual(comparable([{ ...input, name: 'y' }]));
    }
  });

  it('answers each input error with its code, and keeps working', async () => {
    const w = worker(testConfig(dir, { limits: { ...testConfig(dir).limits, maxInputElements: 100_000, maxOutputBytes: 2048 } }));
    await w.ready;
    const huge = await writeModel(dir, buildHugeOutputModel(1024));
    const cases: [unknown[], string, string?][] = [
      [[...vadInputs(), tensor('extra', 'FP32', [1], Float32Array.of(1))], 'input_invalid', "The model has no input 'extra'"],
      [vadInputs().slice(0, 2), 'input_invalid', "Missing input 'sr'"],
      [[tensor('input', 'FP64', [1, 512], new Float64Array(512)), ...vadInputs().slice(1)], 'input_invalid', "Input 'input' is FP64"],
      [[tensor('input', 'FP32', [1, 512, 1], new Float32Array(512)), ...vadInputs().slice(1)], 'input_invalid', "Input 'input' has shape [1, 512, 1]"],
      [[tensor('input', 'FP32', [1, 200_000], new Float32Array(200_000)), ...vadInputs().slice(1)], 'input_too_large'],
      [[{ ...vadInputs()[0]!, data: new Uint8Array(7) }, ...vadInputs().slice(1)], 'input_invalid', 'needs 2048 bytes, data has 7'],
    ];
    for (const [inputs, code, message] of cases) {
      const reply = await run(w, vad, inputs);
      expect(reply.ok ? null : reply.error.code).toBe(code);
      if (message !== undefined && !reply.ok) expect(reply.error.message).toContain(message);
    }
    expect(await run(w, huge, [tensor('x', 'FP32', [1], Float32Array.of(2))])).toEqual({
      ok: false,
      error: { code: 'output_too_large', message: 'The outputs are 4096 bytes; the limit is 2048.' },
    });
    const bad = await w.call('run', { jobId: 'bad' });
    expect(bad.ok ? null : bad.error).toMatchObject({ code: 'input_invalid', message: expect.stringMatching(/^Bad run params: /) });
    const missing = await run(w, 'f'.repeat(64), vadInputs());
    expect(missing.ok ? null : missing.error.code).toBe('model_missing');
    expect(RunResult.parse(valueOf(await run(w, vad, vadInputs()))).outputs).toHaveLength(2);
  }, 30_000);
});

describe('session cache', () => {
  it('reports warm models, evicts on request, and evicts the least recently used under a tiny budget', async () => {
    const mlps = await Promise.all([1, 2].map((seed) => writeModel(dir, buildMlp({ inputDim: 4, hidden: 8, outputDim: 2, batch: 'dynamic', seed }))));
    const [a, b] = mlps as [string, string];
    const one = estimateSessionBytes(buildMlp({ inputDim: 4, hidden: 8, outputDim: 2, batch: 'dynamic', seed: 1 }).byteLength);
    const w = worker(testConfig(dir, { sessionBudgetBytes: one }));
    await w.ready;
    const info = async () => valueOf<WorkerInfo>(await w.call('info', {}));
    expect(valueOf<{ loadMs: number }>(await w.call('warm', { sha256: a })).loadMs).toBeGreaterThan(0);
    expect(valueOf<{ loadMs: number }>(await w.call('warm', { sha256: a })).loadMs).toBe(0);
    expect(await info()).toMatchObject({ warmModels: [a], sessionBytes: one });
    await w.call('warm', { sha256: b });
    expect((await info()).warmModels).toEqual([b]);
    expect(w.messages.some((m) => m.type === 'log' && m.msg.startsWith('evicted warm models'))).toBe(true);
    expect(valueOf(await w.call('evict', { sha256: b }))).toEqual({ evicted: true });
    expect(valueOf(await w.call('evict', { sha256: b }))).toEqual({ evicted: false });
    expect(await info()).toMatchObject({ warmModels: [], sessionBytes: 0 });
  });
});

describe('process life', () => {
  it('answers info while the engine thread is inside a long run', async () => {
    const slow = await writeModel(dir, buildSlowModel());
    const w = worker();
    await w.ready;
    await w.call('warm', { sha256: slow });
    const running = run(w, slow, [tensor('x', 'FP32', [512, 512], randomFloats(512 * 512))]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const asked = performance.now();
    await w.call('info', {});
    const answeredAfter = performance.now() - asked;
    const result = RunResult.parse(valueOf(await running));
    expect(result.timings.runMs).toBeGreaterThan(1000);
    expect(answeredAfter).toBeLessThan(500);
  }, 30_000);

  it('exits 0 on shutdown, answering what was still open', async () => {
    const w = worker();
    await w.ready;
    w.send({ type: 'shutdown' });
    expect(await w.exited).toEqual({ code: 0, signal: null });
  });

  it('on shutdown inside a long run, answers the open call and ends itself at once', async () => {
    const slow = await writeModel(dir, buildSlowModel());
    const w = worker();
    await w.ready;
    await w.call('warm', { sha256: slow });
    const running = run(w, slow, [tensor('x', 'FP32', [512, 512], randomFloats(512 * 512))]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    w.send({ type: 'shutdown' });
    const asked = performance.now();
    expect(await running).toMatchObject({ ok: false, error: { code: 'worker_unavailable' } });
    // process.exit() would wait for onnxruntime to return, so a busy worker kills itself instead.
    expect(await w.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(performance.now() - asked).toBeLessThan(1000);
  }, 30_000);

  it('exits within 2 s of its parent dying, even inside a multi-second native run', async () => {
    const slow = await writeModel(dir, buildSlowModel());
    // A parent that forks the worker, starts a long run, reports the worker's pid, and is then killed.
    const parentScript = join(dir, 'parent.mjs');
    await writeFile(
      parentScript,
      `import { fork } from 'node:child_process';
const config = JSON.parse(process.argv[2]);
const worker = fork(${JSON.stringify(WORKER_ENTRY)}, [], { serialization: 'advanced', stdio: 'ignore' });
worker.on('message', (m) => {
  if (m.type === 'ready') worker.send({ type: 'call', id: 1, method: 'run', params: { jobId: 'slow', model: { sha256: ${JSON.stringify(slow)} }, inputs: [{ name: 'x', datatype: 'FP32', shape: [512, 512], data: new Uint8Array(new Float32Array(512 * 512).fill(0.5).buffer) }] } });
  if (m.type === 'log' && m.msg === 'worker ready') setTimeout(() => process.send({ pid: worker.pid }), 800);
});
worker.send({ type: 'init', config });
`,
    );
    const parent = fork(parentScript, [JSON.stringify(testConfig(dir))], { stdio: 'ignore' });
    const pid = await new Promise<number>((resolve) => parent.once('message', (m: { pid: number }) => resolve(m.pid)));
    expect(isAlive(pid)).toBe(true);
    parent.kill('SIGKILL');
    const killed = performance.now();
    while (isAlive(pid) && performance.now() - killed < 5000) await new Promise((resolve) => setTimeout(resolve, 20));
    const goneAfter = performance.now() - killed;
    expect({ alive: isAlive(pid), within2s: goneAfter < 2000 }).toEqual({ alive: false, within2s: true });
  }, 30_000);
});
