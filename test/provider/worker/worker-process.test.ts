import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { workerTmpRoot } from '../../../provider/worker/private-dir.js';
import type { WorkerSupervisor } from '../../../provider/worker/supervisor.js';
import { buildAllocationBomb, buildMlp, buildSlowModel, mlpForward } from '../../helpers/onnx-models.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { WORKER_BUILT, addModel, bombInput, fp32, pidsWith, realSupervisor } from './real-worker.js';

const MLP = { inputDim: 4, hidden: 8, outputDim: 2, batch: 'dynamic', seed: 3 } as const;
const GiB = 1024 ** 3;

let temp: { dir: string; remove: () => Promise<void> };
let models: string;
let mlp: string;
let slow: string;
let slowish: string;
const open: WorkerSupervisor[] = [];

beforeAll(async () => {
  temp = await makeTempDir('hearth-worker-');
  models = join(temp.dir, 'models');
  mlp = await addModel(models, buildMlp(MLP));
  // About 6 s and 1 s of CPU on this machine's two cores.
  slow = await addModel(models, buildSlowModel(3000, 512));
  slowish = await addModel(models, buildSlowModel(500, 512));
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

afterAll(async () => {
  await temp?.remove();
});

async function start(dataDir: string, options: Parameters<typeof realSupervisor>[2] = {}) {
  const started = await realSupervisor(dataDir, models, options);
  open.push(started.supervisor);
  expect(await started.supervisor.start()).not.toBeNull();
  return started;
}

async function runMlp(supervisor: WorkerSupervisor) {
  const x = Float32Array.of(0.5, -1, 2, 0.25);
  const result = await supervisor.run({ jobId: 'mlp', model: { sha256: mlp }, inputs: [fp32('x', [1, 4], x)] }, { deadlineMs: Date.now() + 20_000 });
  if (!result.ok) throw new Error(`the MLP job failed: ${result.error.code} ${result.error.message}`);
  const y = result.value.outputs[0]!;
  const got = Array.from(new Float32Array(y.data.slice().buffer));
  const want = Array.from(mlpForward(MLP, x));
  got.forEach((value, i) => expect(value).toBeCloseTo(want[i]!, 4));
  return result.value;
}

function runSlow(supervisor: WorkerSupervisor, model: string, deadlineMs: number) {
  return supervisor.run({ jobId: `slow-${deadlineMs}`, model: { sha256: model }, inputs: [fp32('x', [512, 512])] }, { deadlineMs });
}

describe.skipIf(!WORKER_BUILT)('the real worker under the supervisor', () => {
  it('runs a real model inside the sandbox, and onnxruntime leaves no telemetry files in its HOME', async () => {
    const dataDir = join(temp.dir, 'run');
    const { supervisor } = await start(dataDir);
    const value = await runMlp(supervisor);
    expect(value).toMatchObject({ executionProvider: 'cpu', deviceId: 'cpu', batchSize: 1 });
    expect(supervisor.status().sandbox).toMatchObject({ envAllowlist: true, privateWorkDir: true, nodePermissions: true });
    // The worker's HOME is its private folder; with ORT_DISABLE_TELEMETRY=1 onnxruntime writes no
    // .cache/Microsoft/DeveloperTools/.onnxruntime there (without it, it does: deviceid and a database).
    const [privateDir, ...others] = readdirSync(workerTmpRoot(dataDir));
    expect(others).toEqual([]);
    expect(readdirSync(join(workerTmpRoot(dataDir), privateDir!))).toEqual([]);
  });

  it("keeps onnxruntime off the provider's event loop: delay p99 under 50 ms during a 1 s run", async () => {
    const { supervisor } = await start(join(temp.dir, 'loop'));
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const result = await runSlow(supervisor, slowish, Date.now() + 60_000);
    delay.disable();
    expect(result.ok).toBe(true);
    expect(delay.percentile(99) / 1e6).toBeLessThan(50);
  });

  it('on a deadline kills the worker mid-run, fails the job once with timeout, restarts, and quarantines the model after two', async () => {
    const { supervisor } = await start(join(temp.dir, 'deadline'));
    const quarantined: string[] = [];
    supervisor.on('quarantined', ({ sha256 }) => quarantined.push(sha256));
    for (let round = 0; round < 2; round++) {
      const startedAt = Date.now();
      const result = await runSlow(supervisor, slow, startedAt + 500);
      expect(result).toMatchObject({ ok: false, error: { code: 'timeout' } });
      expect(Date.now() - startedAt).toBeLessThan(2000);
      await runMlp(supervisor);
    }
    expect(quarantined).toEqual([slow]);
    expect(await runSlow(supervisor, slow, Date.now() + 60_000)).toMatchObject({ ok: false, error: { code: 'model_quarantined' } });
    expect(supervisor.status()).toMatchObject({ state: 'ready', restarts: 2, quarantined: [slow] });
  });

  it('turns an allocation bomb into an error, and serves the next job', async () => {
    const { supervisor } = await start(join(temp.dir, 'bomb'), { spec: { addressSpaceLimitBytes: 4 * GiB } });
    // 1 TiB fails with or without a limit; 8 GiB would fit this machine's memory, and fails only
    // because of the 4 GiB address-space limit.
    const bombs = [await addModel(models, buildAllocationBomb())];
    if (supervisor.status().sandbox?.addressSpaceLimitBytes === 4 * GiB) bombs.push(await addModel(models, buildAllocationBomb([1 << 16, 1 << 15])));
    expect(bombs).toHaveLength(process.platform === 'linux' ? 2 : 1);
    for (const bomb of bombs) {
      const result = await supervisor.run({ jobId: 'bomb', model: { sha256: bomb }, inputs: [bombInput()] }, { deadlineMs: Date.now() + 30_000 });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(['out_of_memory', 'worker_crashed']).toContain(result.error.code);
      await runMlp(supervisor);
    }
  });

  it('fails a job with worker_crashed when the worker is killed from outside, and leaves no process behind', async () => {
    const dataDir = join(temp.dir, 'killed');
    const marker = `${workerTmpRoot(dataDir)}/`;
    const { supervisor } = await start(dataDir);
    const first = pidsWith(marker);
    expect(first).toContain(supervisor.status().pid);
    const job = runSlow(supervisor, slowish, Date.now() + 60_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    process.kill(supervisor.status().pid!, 'SIGKILL');
    expect(await job).toMatchObject({ ok: false, error: { code: 'worker_crashed' } });
    await runMlp(supervisor);
    // Every process of the killed worker (wrappers and Node) is gone; only the new worker's remain.
    expect(pidsWith(marker).filter((pid) => first.includes(pid))).toEqual([]);
    await supervisor.close();
    expect(pidsWith(marker)).toEqual([]);
    expect(readdirSync(workerTmpRoot(dataDir))).toEqual([]);
  });
});
