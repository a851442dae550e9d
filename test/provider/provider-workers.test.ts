/**
 * The provider core with its real workers (SECURITY.md 7-15 as the status reports them): started on a
 * temp data folder it runs one sandboxed CPU worker, reports it in the status and its event, hands it a
 * real job, and leaves no worker process behind once stopped.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiEvent, Status } from '../../common/api.js';
import { Provider, modelCacheDir } from '../../provider/provider.js';
import { workerTmpRoot } from '../../provider/worker/private-dir.js';
import { buildMlp, mlpForward } from '../helpers/onnx-models.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { APP_ROOT, WORKER_BUILT, addModel, fp32, pidsWith } from './worker/real-worker.js';
import { PRLIMIT, bubblewrapWorksHere } from './worker/sandbox-check.js';

const MLP = { inputDim: 4, hidden: 8, outputDim: 2, batch: 'dynamic', seed: 5 } as const;

let temp: { dir: string; remove: () => Promise<void> };
let dataDir: string;
let provider: Provider | null = null;
const events: ApiEvent[] = [];

beforeAll(async () => {
  temp = await makeTempDir('hearth-provider-workers-');
  dataDir = join(temp.dir, 'data');
});

afterAll(async () => {
  await provider?.stop();
  await temp?.remove();
});

describe.skipIf(!WORKER_BUILT)('a provider with real workers', () => {
  it('starts one sandboxed cpu worker and reports it in the status and the status event', async () => {
    provider = await Provider.open({ dataDir, mode: 'headless', workers: { appRoot: APP_ROOT } });
    provider.subscribe((event) => events.push(event));
    await provider.start();

    const status = provider.status();
    expect(status.state).toBe('running');
    expect(Array.isArray(status.devices)).toBe(true);
    // No GPU on these machines: the worker plan falls back to one CPU worker.
    if (status.devices?.length === 0) expect(status.workers.map((w) => w.deviceId)).toEqual(['cpu']);
    const cpu = status.workers.find((w) => w.deviceId === 'cpu');
    expect(cpu).toMatchObject({ state: 'ready', executionProvider: 'cpu', restarts: 0, quarantined: [], warmModels: [] });
    expect(cpu?.pid).toEqual(expect.any(Number));
    expect(cpu?.executionProviders).toContainEqual({ name: 'cpu', available: true, reason: null });
    expect(cpu?.sandbox).toMatchObject({ envAllowlist: true, privateWorkDir: true, nodePermissions: true });
    expect(cpu?.sandbox?.bubblewrap).toBe(bubblewrapWorksHere());
    // A CPU-only worker gets an address-space limit wherever prlimit exists.
    if (process.platform === 'linux' && existsSync(PRLIMIT)) expect(cpu?.sandbox?.addressSpaceLimitBytes).toEqual(expect.any(Number));
    expect(pidsWith(`${workerTmpRoot(dataDir)}/`)).toContain(cpu?.pid);

    // The last event (published as the provider became running) carries the same, in the contract's shape.
    const last = events.at(-1);
    expect(last?.name).toBe('status');
    const payload = Status.parse(last?.payload);
    expect(payload.state).toBe('running');
    expect(payload.devices).toEqual(status.devices);
    expect(payload.workers).toEqual(status.workers);
  });

  it('runs a job through provider.workers()', async () => {
    const sha256 = await addModel(modelCacheDir(dataDir), buildMlp(MLP));
    const worker = provider?.workers()?.worker('cpu');
    expect(worker).toBeDefined();
    const x = Float32Array.of(1, -0.5, 0.25, 2);
    const result = await worker!.run({ jobId: 'provider-job', model: { sha256 }, inputs: [fp32('x', [1, 4], x)] }, { deadlineMs: Date.now() + 20_000 });
    if (!result.ok) throw new Error(`the job failed: ${result.error.code} ${result.error.message}`);
    expect(result.value).toMatchObject({ executionProvider: 'cpu', deviceId: 'cpu', batchSize: 1 });
    const got = Array.from(new Float32Array(result.value.outputs[0]!.data.slice().buffer));
    mlpForward(MLP, x).forEach((want, i) => expect(got[i]).toBeCloseTo(want, 4));
    // The worker reports its warm model once asked (the status shows the info from ready or the last info call).
    const info = await worker!.workerInfo();
    expect(info.ok && info.value.warmModels).toEqual([sha256]);
  });

  it('leaves no worker process and no private folder behind once stopped', async () => {
    const pid = provider!.status().workers[0]?.pid;
    expect(pidsWith(dataDir).length).toBeGreaterThan(0);
    await provider!.stop();
    expect(provider!.status()).toMatchObject({ state: 'stopped', workers: [] });
    expect(pidsWith(dataDir)).toEqual([]);
    expect(pidsWith(`${workerTmpRoot(dataDir)}/`)).toEqual([]);
    if (pid !== null && pid !== undefined) expect(existsSync(`/proc/${pid}`)).toBe(false);
    expect(readdirSync(workerTmpRoot(dataDir))).toEqual([]);
    provider = null;
  });
});
