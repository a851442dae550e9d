/**
 * What the real-process tests share: the built worker (`npx electron-vite build`), a data folder with
 * a content-addressed model cache, a launcher with every sandbox layer this machine offers, and a look
 * at /proc for processes left behind.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Tensor } from '../../../common/tensor.js';
import type { WorkerConfig } from '../../../common/worker-protocol.js';
import type { Logger } from '../../../provider/logger.js';
import { workerAppPaths } from '../../../provider/worker/app-paths.js';
import { type ChildProcessLauncherOptions, createChildProcessLauncher } from '../../../provider/worker/child-process-launcher.js';
import type { LaunchSpec } from '../../../provider/worker/launcher.js';
import { type WorkerSupervisorOptions, WorkerSupervisor } from '../../../provider/worker/supervisor.js';
import { captureLogger, testConfig } from './supervisor-fixtures.js';

/** The repository root (where package.json is). */
export const APP_ROOT = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
/** The worker entry and read paths of this checkout. */
export const APP = workerAppPaths(APP_ROOT);
/** True once `npx electron-vite build` has produced the worker. */
export const WORKER_BUILT = existsSync(APP.entry) && existsSync(join(APP_ROOT, 'out', 'main', 'engine-thread.js'));
/** This test folder's fixture scripts. */
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url)).replace(/\/$/, '');

/** Writes `bytes` into the model cache as `<sha256>.onnx` and returns the hash. */
export async function addModel(modelCacheDir: string, bytes: Uint8Array): Promise<string> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await mkdir(modelCacheDir, { recursive: true });
  await writeFile(join(modelCacheDir, `${sha256}.onnx`), bytes);
  return sha256;
}

/** A launch spec for the real worker (or another entry script, for probes). */
export function launchSpec(modelCacheDir: string, overrides: Partial<LaunchSpec> = {}): LaunchSpec {
  return { entry: APP.entry, name: 'cpu', readPaths: APP.readPaths, modelCacheDir, addressSpaceLimitBytes: 8 * 1024 ** 3, ...overrides };
}

/** A worker config for real runs: generous limits for test models, two threads. */
export function realConfig(modelCacheDir: string): WorkerConfig {
  const config = testConfig(modelCacheDir);
  return { ...config, intraOpNumThreads: 2, limits: { ...config.limits, maxInputBytes: 8 * 1024 * 1024, maxInputElements: 2 * 1024 * 1024 } };
}

/** Pids of live processes whose command line contains `marker` (a private folder path is unique). */
export function pidsWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const state = /State:\s+(\w)/.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1];
      if (cmdline.includes(marker) && state !== 'Z') pids.push(Number(entry));
    } catch {
      // It ended while we looked.
    }
  }
  return pids;
}

/** The worker's own Node process among those of `marker` (not its bubblewrap or prlimit wrappers). */
export function workerNodePid(marker: string): number | null {
  const node = realpathSync(process.execPath);
  for (const pid of pidsWith(marker)) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === node) return pid;
    } catch {
      // It ended while we looked.
    }
  }
  return null;
}

export { captureLogger } from './supervisor-fixtures.js';

/** One FP32 tensor of zeros (or `values`) for a real run. */
export function fp32(name: string, shape: number[], values?: Float32Array): Tensor {
  const count = shape.reduce((a, b) => a * b, 1);
  const data = values ?? new Float32Array(count);
  return { name, datatype: 'FP32', shape, data: new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength) };
}

/** The int64 scalar-ish input `n` = [1] that sets off buildAllocationBomb. */
export function bombInput(): Tensor {
  return { name: 'n', datatype: 'INT64', shape: [1], data: new Uint8Array(BigInt64Array.of(1n).buffer) };
}

/** A supervisor over the real worker with test-sized timings; close it after the test. */
export async function realSupervisor(
  dataDir: string,
  modelCacheDir: string,
  options: { launcher?: Partial<ChildProcessLauncherOptions>; spec?: Partial<LaunchSpec>; supervisor?: Partial<WorkerSupervisorOptions> } = {},
): Promise<{ supervisor: WorkerSupervisor; lines: Record<string, unknown>[]; logger: Logger }> {
  const { logger, lines } = captureLogger();
  const launcher = await createChildProcessLauncher({ dataDir, logger, ...options.launcher });
  const supervisor = new WorkerSupervisor({
    launcher,
    spec: launchSpec(modelCacheDir, options.spec),
    config: realConfig(modelCacheDir),
    logger,
    startupTimeoutMs: 15_000,
    closeGraceMs: 1000,
    backoff: { baseMs: 20, factor: 2, maxMs: 200, jitter: 0.5 },
    ...options.supervisor,
  });
  return { supervisor, lines, logger };
}
