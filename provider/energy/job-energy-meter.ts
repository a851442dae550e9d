/**
 * Meters each job's energy on the device it ran on. It keeps a few minutes of every device's power
 * readings from the telemetry sampler; when a job's run ends it waits for the device's next reading (so
 * the run's end is bracketed), integrates power over the run (power-integral.ts), divides it among the
 * jobs that shared the run, and records it in the ledger with the electricity price in force now. Power
 * that was not measured is the card's typical draw (typical-draw.ts), and the record says it is an estimate.
 */
import type { EnergySettings } from '../../common/api-energy.js';
import type { RunResult } from '../../common/worker-protocol.js';
import type { JobEnergyRecord } from '../ledger/energy-store.js';
import type { Logger } from '../logger.js';
import type { DeviceSample } from '../telemetry/sample.js';
import type { WorkerCallResult } from '../worker/pending-calls.js';
import { parseMicro } from './money.js';
import { type PowerPoint, integratePower, toMillijoules } from './power-integral.js';
import { type DrawDevice, typicalDraw } from './typical-draw.js';

/** A job's run on a device, as the runner saw it. */
export type JobRun = {
  jobId: string;
  deviceId: string;
  /** When the runner handed the job to the device's worker, and when the answer came (epoch ms). */
  startedAt: number;
  endedAt: number;
  /** How long the device itself worked on it (load + run, as the worker timed it), when known. */
  busyMs: number | null;
  /** Jobs that ran together in the same batch (the energy is shared equally); 1 when unbatched. */
  sharedBy: number;
};

/** The JobRun of a runner call that started at `startedAt` and answered `result` at `endedAt`. */
export function jobRunOf(jobId: string, deviceId: string, startedAt: number, endedAt: number, result: WorkerCallResult<RunResult>): JobRun {
  // A failed call carries no timings: the whole call counts, unshared.
  if (!result.ok) return { jobId, deviceId, startedAt, endedAt, busyMs: null, sharedBy: 1 };
  return { jobId, deviceId, startedAt, endedAt, busyMs: result.value.timings.loadMs + result.value.timings.runMs, sharedBy: result.value.batchSize };
}

/** Where samples come from (the telemetry sampler). */
export type SampleSource = { onSample(listener: (sample: DeviceSample) => void): () => void };

export type JobEnergyMeterOptions = {
  /** Stores one job's energy (the ledger's `energy.record`); a promise settles when it is stored. */
  record: (record: JobEnergyRecord) => void | Promise<void>;
  settings: () => EnergySettings;
  /** The device's name and vendor, for its typical draw. */
  device: (deviceId: string) => DrawDevice | undefined;
  /** The sampler's interval: readings further apart than about two of these are a gap. */
  intervalMs: number;
  logger?: Logger;
};

type Waiting = { run: JobRun; timer: NodeJS.Timeout; done: () => void };

/** How long a device's readings are kept: a longer run gets the typical draw for what came before (720 readings at 5 s). */
const KEEP_MS = 60 * 60_000;

/** Turns job runs and power readings into per-job energy records. */
export class JobEnergyMeter {
  private readonly traces = new Map<string, PowerPoint[]>();
  private readonly lastReason = new Map<string, string>();
  private readonly lastSampleAt = new Map<string, number>();
  private readonly waiting = new Set<Waiting>();
  private readonly maxGapMs: number;

  constructor(private readonly options: JobEnergyMeterOptions) {
    this.maxGapMs = 2 * options.intervalMs + 1000;
  }

  /** Subscribes to `source`; returns the unsubscribe. */
  listen(source: SampleSource): () => void {
    return source.onSample((sample) => this.addSample(sample));
  }

  /** Takes one reading: keeps its power when measured, and records runs on its device that it brackets. */
  addSample(sample: DeviceSample): void {
    this.lastSampleAt.set(sample.deviceId, sample.at);
    if (sample.powerW.ok) {
      const trace = this.traces.get(sample.deviceId) ?? [];
      trace.push({ at: sample.at, watts: sample.powerW.value });
      const cutoff = sample.at - KEEP_MS;
      while (trace.length > 0 && trace[0]!.at < cutoff) trace.shift();
      this.traces.set(sample.deviceId, trace);
    } else {
      this.lastReason.set(sample.deviceId, sample.powerW.reason);
    }
    for (const wait of [...this.waiting]) if (wait.run.deviceId === sample.deviceId && sample.at >= wait.run.endedAt) this.settle(wait);
  }

  /**
   * Meters a finished run: once the device's next reading arrives (or after about two sampling
   * intervals without one) its energy is recorded. Resolves when recorded (stored, when `record`
   * returns a promise); never rejects.
   */
  jobRan(run: JobRun): Promise<void> {
    return new Promise((resolve) => {
      const wait: Waiting = { run, timer: setTimeout(() => this.settle(wait), this.maxGapMs), done: resolve };
      wait.timer.unref();
      this.waiting.add(wait);
      // No sampler for this device (none running, or a CPU-only host without one): nothing to wait for.
      if (!this.lastSampleAt.has(run.deviceId)) this.settle(wait);
    });
  }

  /** Records every run still waiting, with the readings there are (before the ledger closes). */
  flush(): void {
    for (const wait of [...this.waiting]) this.settle(wait);
  }

  /** The energy record for `run` from the readings held now. */
  measure(run: JobRun): JobEnergyRecord {
    const settings = this.options.settings();
    const typical = typicalDraw(run.deviceId, this.options.device(run.deviceId));
    const startedAt = run.busyMs === null ? run.startedAt : Math.max(run.startedAt, run.endedAt - Math.ceil(run.busyMs));
    const energy = integratePower(this.traces.get(run.deviceId) ?? [], startedAt, run.endedAt, typical.watts, this.maxGapMs);
    const duration = run.endedAt - startedAt;
    const reason = this.lastReason.get(run.deviceId) ?? 'no power reading for this device';
    const powerSource = !energy.estimated
      ? 'measured'
      : energy.estimatedMs >= duration
        ? `estimated: ${typical.basis}; power not measurable (${reason})`
        : `measured, with ${typical.basis} for ${(energy.estimatedMs / 1000).toFixed(1)} s without readings`;
    return {
      jobId: run.jobId,
      deviceId: run.deviceId,
      startedAt,
      endedAt: run.endedAt,
      energyMj: toMillijoules(energy.joules / Math.max(1, run.sharedBy)),
      estimated: energy.estimated,
      powerSource: powerSource.slice(0, 500),
      priceMicroPerKwh: parseMicro(settings.electricityPrice),
      currency: settings.currency,
    };
  }

  private settle(wait: Waiting): void {
    if (!this.waiting.delete(wait)) return;
    clearTimeout(wait.timer);
    const failed = (err: unknown) => this.options.logger?.error({ err, jobId: wait.run.jobId }, 'job energy could not be recorded');
    let stored: void | Promise<void> = undefined;
    try {
      stored = this.options.record(this.measure(wait.run));
    } catch (err) {
      failed(err);
    }
    if (stored instanceof Promise) void stored.catch(failed).finally(wait.done);
    else wait.done();
  }
}
