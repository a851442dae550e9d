import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { detectDevices } from '../../worker/devices/detect.js';
import { runCommand } from '../../worker/devices/run-command.js';
import { offeredProviders } from '../../worker/probe/offered-providers.js';
import { createChildProcessLauncher } from '../worker/child-process-launcher.js';
import { WorkerPool } from '../worker/worker-pool.js';
import { planWorkers } from '../worker/worker-plan.js';
import { type GpuReport, formatGpuReport } from './gpu-report.js';
import { builtAppRoot } from './headless.js';

/**
 * `hearth gpu`: detects devices, then starts one sandboxed worker that tries every execution provider
 * onnxruntime-node offers on this platform for real, in a throwaway folder (never the data folder, so
 * a running provider is not disturbed).
 */
export async function gpuReport(appRoot: string = builtAppRoot()): Promise<GpuReport> {
  const scratch = await mkdtemp(join(tmpdir(), 'hearth-gpu-'));
  const logger = pino({ enabled: false });
  try {
    const detection = await detectDevices(runCommand, process.platform);
    const [first] = planWorkers(detection.devices, join(scratch, 'models'));
    const config = { ...first!, executionProviders: [...offeredProviders(process.platform)] };
    const pool = new WorkerPool({ appRoot, configs: [config], launcher: await createChildProcessLauncher({ dataDir: scratch, logger }), logger });
    await pool.start();
    const [worker] = pool.status();
    await pool.close();
    return { ...detection, executionProviders: worker?.executionProviders ?? [], sandbox: worker?.sandbox ?? null };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Prints the report as a table, or as JSON with `--json`. */
export async function runGpu(json: boolean, out: NodeJS.WritableStream): Promise<void> {
  const report = await gpuReport();
  out.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatGpuReport(report));
}
