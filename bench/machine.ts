/** The machine a bench ran on, for every figure it reports. */
import { readFileSync } from 'node:fs';
import { arch, availableParallelism, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { detectDevices } from '../worker/devices/detect.js';
import { runCommand } from '../worker/devices/run-command.js';
import type { Machine } from './report-types.js';

function onnxruntimeVersion(appRoot: string): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(join(appRoot, 'node_modules', 'onnxruntime-node', 'package.json'), 'utf8'));
    return typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Describes this machine; the end load average is filled in when the bench finishes. */
export async function describeMachine(appRoot: string): Promise<Machine> {
  const detection = await detectDevices(runCommand, process.platform).catch(() => null);
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryBytes: totalmem(),
    platform: platform(),
    arch: arch(),
    kernel: release(),
    node: process.version,
    onnxruntime: onnxruntimeVersion(appRoot),
    gpus: detection?.devices.map((d) => d.name) ?? [],
    loadAverageStart: loadavg().map((x) => Math.round(x * 100) / 100),
    loadAverageEnd: [],
  };
}

/** The 1, 5 and 15 minute load averages, rounded. */
export function loadAverage(): number[] {
  return loadavg().map((x) => Math.round(x * 100) / 100);
}
