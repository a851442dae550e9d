/**
 * Dynamic batching in the real worker process: concurrent jobs for a model with a dynamic batch
 * dimension are merged into one run, and each job gets exactly the outputs (and hash) it gets alone.
 * Jobs gather while the engine is busy (a quiet worker sends a job at once), so each test first keeps
 * the engine busy with a slow model.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RunResult } from '../../../common/worker-protocol.js';
import { buildMlp, buildSlowModel } from '../../helpers/onnx-models.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { OCR_REC_MODEL, comparable, modelBytes, ocrInputs, randomFloats, tensor, testConfig, vadInputs, VAD_MODEL, writeModel } from '../engine/worker-fixtures.js';
import { type WorkerProcess, startWorker, valueOf } from '../engine/worker-process.js';

let dir: string;
let remove: () => Promise<void>;
let slow: string;
const started: WorkerProcess[] = [];

beforeAll(async () => {
  ({ dir, remove } = await makeTempDir('hearth-batching-'));
  slow = await writeModel(dir, buildSlowModel(400));
});
afterEach(() => {
  for (const w of started.splice(0)) w.child.kill('SIGKILL');
});
afterAll(() => remove());

async function worker(enabled: boolean, maxBatch = 8, maxDelayMs = 1000): Promise<WorkerProcess> {
  const w = startWorker(testConfig(dir, { batching: { enabled, maxBatch, maxDelayMs } }));
  started.push(w);
  await w.ready;
  await w.call('warm', { sha256: slow });
  return w;
}

const MLP = { inputDim: 64, hidden: 256, outputDim: 16, batch: 'dynamic' as const, seed: 11 };

/** Sends the jobs together while the engine is busy with a slow run, and returns their results. */
async function runAll(w: WorkerProcess, sha256: string, jobs: ReturnType<typeof tensor>[][]): Promise<RunResult[]> {
  const busy = w.call('run', { jobId: 'slow', model: { sha256: slow }, inputs: [tensor('x', 'FP32', [512, 512], randomFloats(512 * 512))] });
  const replies = await Promise.all(jobs.map((inputs, i) => w.call('run', { jobId: `job-${i}`, model: { sha256 }, inputs })));
  valueOf(await busy);
  return replies.map((r) => RunResult.parse(valueOf(r)));
}

describe('dynamic batching', () => {
  it('merges MLP jobs that arrive while the engine is busy; each gets the outputs it gets alone', async () => {
    const sha256 = await writeModel(dir, buildMlp(MLP));
    const jobs = [1, 2, 1, 3].map((rows, i) => [tensor('x', 'FP32', [rows, MLP.inputDim], randomFloats(rows * MLP.inputDim, 100 + i))]);
    const alone = await worker(false);
    await alone.call('warm', { sha256 });
    const expected = await runAll(alone, sha256, jobs);
    expect(expected.map((r) => r.batchSize)).toEqual([1, 1, 1, 1]);

    const batched = await worker(true);
    await batched.call('warm', { sha256 });
    const results = await runAll(batched, sha256, jobs);
    expect(results.map((r) => r.batchSize)).toEqual([4, 4, 4, 4]);
    // Waiting behind the slow run counts as queue time.
    expect(Math.min(...results.map((r) => r.timings.queueMs))).toBeGreaterThan(50);
    results.forEach((result, i) => {
      expect(result.outputs[0]!.shape).toEqual([jobs[i]![0]!.shape[0], MLP.outputDim]);
      expect(comparable(result.outputs)).toEqual(comparable(expected[i]!.outputs));
      expect(result.outputSha256).toBe(expected[i]!.outputSha256);
      expect(result.fingerprint).toEqual(expected[i]!.fingerprint);
    });
  });

  it('merges PP-OCRv4 recognition crops of one width, and not crops of different widths', async () => {
    const sha256 = await writeModel(dir, modelBytes(OCR_REC_MODEL));
    const jobs = [ocrInputs(320, 1), ocrInputs(320, 2), ocrInputs(160, 3)];
    const alone = await worker(false);
    await alone.call('warm', { sha256 });
    const expected = await runAll(alone, sha256, jobs);
    const batched = await worker(true);
    await batched.call('warm', { sha256 });
    const results = await runAll(batched, sha256, jobs);
    expect(results.map((r) => r.batchSize)).toEqual([2, 2, 1]);
    results.forEach((result, i) => expect(comparable(result.outputs)).toEqual(comparable(expected[i]!.outputs)));
  });

  it('sends a job to a quiet engine at once, without waiting out maxDelayMs', async () => {
    const sha256 = await writeModel(dir, buildMlp(MLP));
    const w = await worker(true, 8, 1000);
    await w.call('warm', { sha256 });
    const started = performance.now();
    const result = RunResult.parse(valueOf(await w.call('run', { jobId: 'one', model: { sha256 }, inputs: [tensor('x', 'FP32', [1, MLP.inputDim], randomFloats(MLP.inputDim))] })));
    expect(performance.now() - started).toBeLessThan(500);
    expect(result.batchSize).toBe(1);
  });

  it('leaves models without a dynamic batch dimension alone (Silero VAD)', async () => {
    const sha256 = await writeModel(dir, modelBytes(VAD_MODEL));
    const w = await worker(true);
    await w.call('warm', { sha256 });
    const results = await runAll(w, sha256, [vadInputs(1), vadInputs(2)]);
    expect(results.map((r) => r.batchSize)).toEqual([1, 1]);
  });

  it('still refuses a bad job on its own, without failing the jobs it would have joined', async () => {
    const sha256 = await writeModel(dir, buildMlp(MLP));
    const w = await worker(true);
    await w.call('warm', { sha256 });
    const good = [tensor('x', 'FP32', [1, MLP.inputDim], randomFloats(MLP.inputDim, 1))];
    const bad = [tensor('x', 'FP32', [1, MLP.inputDim + 1], randomFloats(MLP.inputDim + 1, 2))];
    const busy = w.call('run', { jobId: 'slow', model: { sha256: slow }, inputs: [tensor('x', 'FP32', [512, 512], randomFloats(512 * 512))] });
    const replies = await Promise.all([good, bad, good].map((inputs, i) => w.call('run', { jobId: `j${i}`, model: { sha256 }, inputs })));
    valueOf(await busy);
    expect(replies.map((r) => (r.ok ? (r.value as RunResult).batchSize : r.error.code))).toEqual([2, 'input_invalid', 2]);
  });
});
