/**
 * The bad-input list of SECURITY.md 8, 9 and 12 against the real thing: one supervisor over the real
 * worker in every sandbox layer this machine offers (bubblewrap, Node permissions, prlimit), fed hostile
 * models and inputs one after another. Each must fail with its own error code, and after each the same
 * supervisor still serves a good MLP job.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '../../../common/tensor.js';
import type { RunParams, WorkerError, WorkerErrorCode } from '../../../common/worker-protocol.js';
import type { WorkerCrash, WorkerSupervisor } from '../../../provider/worker/supervisor.js';
import {
  buildAllocationBomb,
  buildCustomDomainModel,
  buildDeepNesting,
  buildExternalDataModel,
  buildHugeOutputModel,
  buildMlp,
  buildSlowModel,
  garbage,
  mlpForward,
  truncated,
} from '../../helpers/onnx-models.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { WORKER_BUILT, addModel, bombInput, fp32, realConfig, realSupervisor } from './real-worker.js';
import { PRLIMIT, bubblewrapWorksHere } from './sandbox-check.js';

const MLP = { inputDim: 4, hidden: 8, outputDim: 2, batch: 'dynamic', seed: 3 } as const;
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** Small enough that a 6 MiB model is refused, large enough for the slow model (1 MiB of weights). */
const MAX_MODEL_BYTES = 4 * MiB;
/** The address-space limit launchSpec gives (real-worker.ts). */
const ADDRESS_SPACE_LIMIT = 8 * GiB;

let temp: { dir: string; remove: () => Promise<void> };
let dataDir: string;
let models: string;
let outside: string;
let mlp: string;
let supervisor: WorkerSupervisor;
let lines: Record<string, unknown>[] = [];
const crashes: WorkerCrash[] = [];
let seed = 100;

beforeAll(async () => {
  temp = await makeTempDir('hearth-hostile-');
  dataDir = join(temp.dir, 'data');
  models = join(temp.dir, 'models');
  outside = join(temp.dir, 'outside');
  await mkdir(outside, { recursive: true });
  mlp = await addModel(models, buildMlp(MLP));
  if (!WORKER_BUILT) return;
  const config = realConfig(models);
  const started = await realSupervisor(dataDir, models, { supervisor: { config: { ...config, limits: { ...config.limits, maxModelBytes: MAX_MODEL_BYTES } } } });
  supervisor = started.supervisor;
  lines = started.lines;
  supervisor.on('crashed', (crash) => crashes.push(crash));
  expect(await supervisor.start()).not.toBeNull();
});

afterAll(async () => {
  await supervisor?.close();
  await temp?.remove();
});

/** A well-formed MLP that no other case uses (its own hash). */
function freshMlp(): Uint8Array {
  return buildMlp({ ...MLP, seed: seed++ });
}

function job(sha256: string, inputs: Tensor[] = [fp32('x', [1, 4])]): RunParams {
  return { jobId: `hostile-${seed++}`, model: { sha256 }, inputs };
}

/** Runs `params` and returns its error, failing the test if it succeeded or gave another code. */
async function refused(params: RunParams, codes: WorkerErrorCode | WorkerErrorCode[], deadlineMs = Date.now() + 20_000): Promise<WorkerError> {
  const result = await supervisor.run(params, { deadlineMs });
  if (result.ok) throw new Error(`job ${params.jobId} ran; it should have been refused with ${String(codes)}`);
  expect([codes].flat(), result.error.message).toContain(result.error.code);
  expect(result.error.message.length).toBeGreaterThan(10);
  return result.error;
}

/** A good MLP job on the same supervisor: right numbers, worker ready. */
async function serves(): Promise<void> {
  const x = Float32Array.of(0.5, -1, 2, 0.25);
  const result = await supervisor.run({ jobId: `mlp-${seed++}`, model: { sha256: mlp }, inputs: [fp32('x', [1, 4], x)] }, { deadlineMs: Date.now() + 20_000 });
  if (!result.ok) throw new Error(`the MLP job after a hostile one failed: ${result.error.code} ${result.error.message}`);
  const got = Array.from(new Float32Array(result.value.outputs[0]!.data.slice().buffer));
  mlpForward(MLP, x).forEach((want, i) => expect(got[i]).toBeCloseTo(want, 4));
  expect(supervisor.status()).toMatchObject({ state: 'ready', pending: 0 });
}

/** Refused, served afterwards, and the worker process was never replaced (admission errors are cheap). */
async function refusedBySameWorker(params: RunParams, codes: WorkerErrorCode | WorkerErrorCode[]): Promise<WorkerError> {
  const pid = supervisor.status().pid;
  const error = await refused(params, codes);
  await serves();
  expect(supervisor.status().pid, 'the worker was not restarted').toBe(pid);
  return error;
}

describe.skipIf(!WORKER_BUILT)('hostile models and inputs against one real sandboxed worker', () => {
  it('runs in every sandbox layer this machine offers, and serves the MLP', async () => {
    const sandbox = supervisor.status().sandbox;
    expect(sandbox).toMatchObject({ envAllowlist: true, privateWorkDir: true, nodePermissions: true });
    if (bubblewrapWorksHere()) expect(sandbox?.bubblewrap).toBe(true);
    if (process.platform === 'linux' && existsSync(PRLIMIT)) expect(sandbox?.addressSpaceLimitBytes).toBe(ADDRESS_SPACE_LIMIT);
    await serves();
  });

  it('model_hash_mismatch: a cache file under a name that is not its hash', async () => {
    const declared = createHash('sha256').update(freshMlp()).digest('hex');
    await writeFile(join(models, `${declared}.onnx`), freshMlp());
    const error = await refusedBySameWorker(job(declared), 'model_hash_mismatch');
    expect(error.message).toMatch(/does not match its hash/);
  });

  it('model_hash_mismatch: a cached model changed by one byte behind the cache', async () => {
    const sha256 = await addModel(models, freshMlp());
    const path = join(models, `${sha256}.onnx`);
    const bytes = await readFile(path);
    const last = bytes.length - 1;
    bytes.writeUInt8(bytes.readUInt8(last) ^ 0x01, last);
    await writeFile(path, bytes);
    await refusedBySameWorker(job(sha256), 'model_hash_mismatch');
  });

  it.each([
    ['a truncated model', () => truncated(buildMlp({ ...MLP, seed: 7 }))],
    // Seeded: about a quarter of random 4 KiB strings start with what parses as an unknown ModelProto
    // field and are refused as model_rejected before the broken framing further on is reached.
    ['random bytes', () => garbage(4096, 1)],
  ])('model_invalid: %s', async (_label, bytes) => {
    const error = await refusedBySameWorker(job(await addModel(models, bytes())), 'model_invalid');
    expect(error.message).toMatch(/not a valid ONNX file/);
  });

  it('model_too_large: a real model over maxModelBytes', async () => {
    // W1 alone is 1024 × 1536 floats: 6 MiB.
    const big = buildMlp({ inputDim: 1024, hidden: 1536, outputDim: 2, batch: 'dynamic', seed: 9 });
    expect(big.byteLength).toBeGreaterThan(MAX_MODEL_BYTES);
    const error = await refusedBySameWorker(job(await addModel(models, big), [fp32('x', [1, 1024])]), 'model_too_large');
    expect(error.message).toMatch(/is 6 MB; the limit is 4 MB/);
  });

  it('model_rejected: an operator from an unknown domain', async () => {
    const error = await refusedBySameWorker(job(await addModel(models, buildCustomDomainModel('com.evil.exfiltrate')), [fp32('x', [4])]), 'model_rejected');
    expect(error.message).toMatch(/com\.evil\.exfiltrate/);
  });

  it('model_rejected: subgraphs nested past maxSubgraphDepth', async () => {
    const limit = realConfig(models).limits.maxSubgraphDepth;
    const cond: Tensor = { name: 'cond', datatype: 'BOOL', shape: [], data: Uint8Array.of(1) };
    const error = await refusedBySameWorker(job(await addModel(models, buildDeepNesting(limit + 3)), [cond, fp32('x', [4])]), 'model_rejected');
    expect(error.message).toMatch(/nests subgraphs/);
  });

  it.each([
    ['a ../ path', '../../../../etc/passwd'],
    ['an absolute path', '/etc/passwd'],
  ])('model_rejected: external data at %s', async (_label, location) => {
    const error = await refusedBySameWorker(job(await addModel(models, buildExternalDataModel(location)), [fp32('x', [4])]), 'model_rejected');
    expect(error.message).toContain(location);
    expect(error.message).toMatch(/external data/);
  });

  it.each([
    ['a symlink in the cache', 'symlink'],
    ['a hard link in the cache', 'hardlink'],
  ] as const)('model_rejected: external data pointing at %s', async (_label, kind) => {
    // The weights file the model names sits in the cache as a link to a file outside it.
    const target = join(outside, `weights-${kind}.bin`);
    await writeFile(target, new Uint8Array(16));
    const name = `weights-${kind}.bin`;
    if (kind === 'symlink') await symlink(target, join(models, name));
    else await link(target, join(models, name));
    const error = await refusedBySameWorker(job(await addModel(models, buildExternalDataModel(name)), [fp32('x', [4])]), 'model_rejected');
    expect(error.message).toMatch(/external data/);
  });

  it('refuses a cached model that is a symlink (here to a valid model with the right hash)', async () => {
    const bytes = freshMlp();
    // The target is inside the cache, so the sandbox could read it: only the link check stops it.
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await writeFile(join(models, 'payload.bin'), bytes);
    await symlink('payload.bin', join(models, `${sha256}.onnx`));
    const error = await refusedBySameWorker(job(sha256), ['model_rejected', 'model_missing']);
    expect(error.message).toMatch(/symbolic link/);
  });

  it('refuses a cached model with a second hard link outside the cache (a valid model with the right hash)', async () => {
    const sha256 = await addModel(models, freshMlp());
    await link(join(models, `${sha256}.onnx`), join(outside, 'second-name.onnx'));
    const error = await refusedBySameWorker(job(sha256), ['model_rejected', 'model_missing']);
    expect(error.message).toMatch(/hard link/);
  });

  it.each([
    ['a misnamed input', () => [fp32('z', [1, 4])]],
    ['a missing input', () => []],
    ['an extra input', () => [fp32('x', [1, 4]), fp32('extra', [1])]],
    ['the wrong datatype', () => [{ name: 'x', datatype: 'INT32', shape: [1, 4], data: new Uint8Array(16) }]],
    ['the wrong rank', () => [fp32('x', [4])]],
    ['the wrong fixed dimension', () => [fp32('x', [1, 5])]],
    ['data that does not fit the shape', () => [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: new Uint8Array(15) }]],
  ] satisfies [string, () => Tensor[]][])('input_invalid: %s', async (_label, inputs) => {
    const error = await refusedBySameWorker(job(mlp, inputs()), 'input_invalid');
    expect(error.message).toMatch(/input|Input/);
  });

  it.each([
    // 2.4 M elements and 9.6 MB of real data: over both caps (2 M elements, 8 MiB).
    ['real data over the caps', () => [fp32('x', [600_000, 4])]],
    // A shape that claims 2^62 elements on 16 bytes: refused by its shape, before the bytes are looked at.
    ['a shape that lies about its size', () => [{ name: 'x', datatype: 'FP32', shape: [2 ** 31 - 1, 2 ** 31 - 1], data: new Uint8Array(16) }]],
  ] satisfies [string, () => Tensor[]][])('input_too_large: %s', async (_label, inputs) => {
    const error = await refusedBySameWorker(job(mlp, inputs()), 'input_too_large');
    expect(error.message).toMatch(/limit/);
  });

  it('output_too_large: a 4-byte input expanded to 64 MiB of output', async () => {
    const huge = await addModel(models, buildHugeOutputModel(16 * MiB));
    const error = await refusedBySameWorker(job(huge, [fp32('x', [1])]), 'output_too_large');
    expect(error.message).toMatch(/limit/);
  });

  it('out_of_memory or worker_crashed: allocation bombs (ConstantOfShape), then serves', async () => {
    // 1 TiB fails anywhere; 8 GiB could fit a big machine's memory and fails only because of prlimit's
    // 8 GiB address-space limit (so it runs only where that limit is in force).
    const shapes: number[][] = [[1 << 16, 1 << 16, 64]];
    if (supervisor.status().sandbox?.addressSpaceLimitBytes === ADDRESS_SPACE_LIMIT) shapes.push([1 << 16, 1 << 15]);
    for (const shape of shapes) {
      const bomb = await addModel(models, buildAllocationBomb(shape));
      const before = crashes.length;
      await refused(job(bomb, [bombInput()]), ['out_of_memory', 'worker_crashed'], Date.now() + 30_000);
      await serves();
      // onnxruntime's allocation fails as an error in the worker; if it ever aborted instead, one crash.
      expect(crashes.length - before).toBeLessThanOrEqual(1);
    }
    expect(supervisor.status().quarantined).toEqual([]);
  });

  it('timeout: a slow model past its deadline fails exactly once, and a restarted worker serves', async () => {
    // About 6 s of CPU on this machine: far past a 1.5 s deadline, however loaded it is.
    const slow = await addModel(models, buildSlowModel(3000, 512));
    const { pid, restarts } = supervisor.status();
    const before = crashes.length;
    const kills = () => lines.filter((line) => line.msg === 'deadline passed: killing the worker').length;
    const killsBefore = kills();
    const startedAt = Date.now();
    const result = await supervisor.run(job(slow, [fp32('x', [512, 512])]), { deadlineMs: startedAt + 1500 });
    expect(result).toMatchObject({ ok: false, error: { code: 'timeout' } });
    expect(Date.now() - startedAt).toBeLessThan(5000);
    await serves();
    // One deadline, one kill, one end of the worker: the job did not also fail as a crash.
    expect(kills() - killsBefore).toBe(1);
    expect(crashes.slice(before)).toEqual([expect.objectContaining({ reason: 'timeout', models: [slow] })]);
    const status = supervisor.status();
    expect(status.pid).not.toBe(pid);
    expect(status.restarts).toBe(restarts + 1);
    // One timeout is a strike, not a quarantine (that takes two).
    expect(status.quarantined).toEqual([]);
  });
});
