/**
 * The telemetry sampler: on an interval that costs little (one readings call and one process call to
 * nvidia-smi, or one rocm-smi call, every 5 s by default) it reads every device, keeps the latest sample
 * per device and tells subscribers. A tool that is missing is not asked again for a while; a tool that
 * is slow is cut off at its timeout. Every device the provider works on gets a sample on every tick:
 * what could not be read is "not measurable" with the reason, never left out or zeroed.
 */
import type { CommandResult, CommandRunner } from '../../worker/devices/run-command.js';
import type { Logger } from '../logger.js';
import { NVIDIA_TELEMETRY_APPS_ARGS, NVIDIA_TELEMETRY_GPU_ARGS, nvidiaSamples, parseNvidiaComputeApps, parseNvidiaGpuQuery } from './nvidia-smi-telemetry.js';
import { ROCM_TELEMETRY_ARGS, parseRocmSmiTelemetry } from './rocm-smi-telemetry.js';
import { type DeviceSample, notMeasurable } from './sample.js';

export type TelemetrySamplerOptions = {
  run: CommandRunner;
  platform: NodeJS.Platform;
  /** The devices the provider works on (the worker pool's device ids); each gets a sample every tick. */
  deviceIds: () => readonly string[];
  /** True for Hearth's own processes (own-processes.ts), which are never foreign. */
  isOurs: (pid: number) => boolean;
  intervalMs?: number;
  /** How long one tool call may take before its readings count as not measurable. */
  timeoutMs?: number;
  /** How long a missing tool is left alone before it is looked for again. */
  recheckMissingMs?: number;
  now?: () => number;
  logger?: Logger;
};

type Tool = 'nvidia-smi' | 'rocm-smi';

/** Default sampling interval. */
export const DEFAULT_TELEMETRY_INTERVAL_MS = 5000;

/** Samples every device on an interval and publishes the latest reading of each. */
export class TelemetrySampler {
  private readonly latestByDevice = new Map<string, DeviceSample>();
  private readonly listeners = new Set<(sample: DeviceSample) => void>();
  private readonly missingSince = new Map<Tool, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<DeviceSample[]> | null = null;
  private readonly now: () => number;

  constructor(private readonly options: TelemetrySamplerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Samples every interval from now on (and at once, unless a first pass already ran). */
  start(): void {
    if (this.timer !== undefined) return;
    if (this.latestByDevice.size === 0) void this.sampleOnce();
    this.timer = setInterval(() => void this.sampleOnce(), this.options.intervalMs ?? DEFAULT_TELEMETRY_INTERVAL_MS);
    this.timer.unref();
  }

  /** Stops sampling and waits for a pass in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    this.listeners.clear();
  }

  /** The latest sample of a device, or undefined before the first. */
  latest(deviceId: string): DeviceSample | undefined {
    return this.latestByDevice.get(deviceId);
  }

  /** The latest sample of every device. */
  all(): DeviceSample[] {
    return [...this.latestByDevice.values()];
  }

  /** Calls `listener` with every new sample until the returned function is called. */
  onSample(listener: (sample: DeviceSample) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One sampling pass (a pass already running is joined, never doubled). */
  sampleOnce(): Promise<DeviceSample[]> {
    this.running ??= this.pass().finally(() => (this.running = null));
    return this.running;
  }

  private async pass(): Promise<DeviceSample[]> {
    const at = this.now();
    const read = await Promise.all([this.readNvidia(at), this.options.platform === 'linux' ? this.readRocm(at) : Promise.resolve(null)]);
    const found = new Map<string, DeviceSample>();
    for (const result of read) for (const sample of result?.samples ?? []) found.set(sample.deviceId, sample);
    const why = read.flatMap((r) => (r?.problem ? [r.problem] : []));
    for (const id of this.options.deviceIds()) if (!found.has(id)) found.set(id, unmeasured(id, at, reasonFor(id, why, this.options.platform)));
    const samples = [...found.values()];
    for (const sample of samples) {
      this.latestByDevice.set(sample.deviceId, sample);
      for (const listener of this.listeners) {
        try {
          listener(sample);
        } catch (err) {
          this.options.logger?.error({ err }, 'a telemetry subscriber failed');
        }
      }
    }
    return samples;
  }

  private async readNvidia(at: number): Promise<{ samples: DeviceSample[]; problem: string | null } | null> {
    if (this.options.platform !== 'linux' && this.options.platform !== 'win32') return null;
    const gpu = await this.ask('nvidia-smi', NVIDIA_TELEMETRY_GPU_ARGS);
    if (gpu.status !== 'ok') return { samples: [], problem: `nvidia-smi ${gpu.status === 'failed' ? gpu.reason : 'is not installed'}` };
    const parsed = parseNvidiaGpuQuery(gpu.stdout);
    if (parsed.problems.length > 0) this.options.logger?.warn({ problems: parsed.problems }, 'nvidia-smi telemetry lines skipped');
    const apps = await this.ask('nvidia-smi', NVIDIA_TELEMETRY_APPS_ARGS);
    const appList =
      apps.status === 'missing'
        ? { problem: 'nvidia-smi went missing while it was being asked for processes.' }
        : apps.status === 'failed'
          ? { problem: `nvidia-smi could not list GPU processes: ${apps.reason}` }
          : parseNvidiaComputeApps(apps.stdout);
    const problem = parsed.gpus.length === 0 ? `nvidia-smi reported no GPU it could read${parsed.problems[0] ? ` (${parsed.problems[0]})` : ''}` : null;
    return { samples: nvidiaSamples(parsed.gpus, appList, this.options.isOurs, at), problem };
  }

  private async readRocm(at: number): Promise<{ samples: DeviceSample[]; problem: string | null } | null> {
    const result = await this.ask('rocm-smi', ROCM_TELEMETRY_ARGS);
    if (result.status !== 'ok') return { samples: [], problem: `rocm-smi ${result.status === 'failed' ? result.reason : 'is not installed'}` };
    return parseRocmSmiTelemetry(result.stdout, at);
  }

  /** Runs a tool; one found missing is reported missing without being run until the re-check is due. */
  private async ask(tool: Tool, args: readonly string[]): Promise<CommandResult> {
    const since = this.missingSince.get(tool);
    if (since !== undefined && this.now() - since < (this.options.recheckMissingMs ?? 5 * 60_000)) return { status: 'missing' };
    const result = await this.options.run(tool, args, this.options.timeoutMs ?? 3000);
    if (result.status === 'missing') this.missingSince.set(tool, this.now());
    else this.missingSince.delete(tool);
    return result;
  }
}

function reasonFor(deviceId: string, problems: readonly string[], platform: NodeJS.Platform): string {
  if (deviceId === 'cpu') return 'This worker runs on the CPU; GPU readings do not apply to it.';
  if (problems.length > 0) return `Not measurable: ${problems.join('; ')}.`;
  if (platform === 'darwin') return 'Not measurable on macOS: the system offers no per-GPU readings without administrator rights.';
  return `Not measurable on this platform: no tool reported device ${deviceId} (nvidia-smi for NVIDIA, rocm-smi for AMD).`;
}

/** A sample of a device none of the tools could read, every field saying why. */
export function unmeasured(deviceId: string, at: number, reason: string): DeviceSample {
  const no = notMeasurable<never>(reason);
  return { deviceId, at, utilizationPct: no, vramUsedBytes: no, vramTotalBytes: no, temperatureC: no, powerW: no, powerLimitW: no, foreignProcesses: no };
}
