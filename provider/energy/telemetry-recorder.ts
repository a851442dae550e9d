/**
 * Folds the sampler's readings into one row per device per minute for the ledger's telemetry history:
 * average utilization and power, hottest temperature, most VRAM used. A minute's row is written once the
 * first reading of a later minute arrives (or on flush); rows older than the retention window are deleted
 * as new ones arrive. Readings that were not measurable are left out of the averages, never counted as 0.
 */
import type { TelemetryMinute } from '../ledger/telemetry-history.js';
import type { Logger } from '../logger.js';
import type { DeviceSample, Measured } from '../telemetry/sample.js';
import type { SampleSource } from './job-energy-meter.js';

/** How long telemetry history is kept. */
export const TELEMETRY_RETENTION_MS = 30 * 86_400_000;

const MINUTE = 60_000;
/** Pruning runs at most this often. */
const PRUNE_EVERY_MS = 10 * MINUTE;

export type TelemetryRecorderOptions = {
  /** Stores one device-minute (the ledger's `telemetry.write`). */
  write: (row: TelemetryMinute) => void;
  /** Deletes rows before a time (the ledger's `telemetry.prune`). */
  prune: (before: number) => void;
  retentionMs?: number;
  logger?: Logger;
};

type Fold = { count: number; sum: number };
type Open = {
  minute: number;
  samples: number;
  utilization: Fold;
  power: Fold;
  temperatureMax: number | null;
  powerLimit: number | null;
  vramUsedMax: number | null;
  vramTotal: number | null;
};

/** Aggregates samples per device-minute and writes them to the ledger. */
export class TelemetryRecorder {
  private readonly open = new Map<string, Open>();
  private lastPrune = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: TelemetryRecorderOptions) {}

  /** Subscribes to `source`; returns the unsubscribe. */
  listen(source: SampleSource): () => void {
    return source.onSample((sample) => this.add(sample));
  }

  /** Folds one reading in; writes the device's previous minute when this one starts a later minute. */
  add(sample: DeviceSample): void {
    const minute = Math.floor(sample.at / MINUTE) * MINUTE;
    let current = this.open.get(sample.deviceId);
    if (current !== undefined && current.minute !== minute) {
      // A reading from an earlier minute than the open one (a clock step back) starts afresh too.
      this.write(sample.deviceId, current);
      current = undefined;
    }
    if (current === undefined) {
      current = { minute, samples: 0, utilization: { count: 0, sum: 0 }, power: { count: 0, sum: 0 }, temperatureMax: null, powerLimit: null, vramUsedMax: null, vramTotal: null };
      this.open.set(sample.deviceId, current);
    }
    current.samples += 1;
    fold(current.utilization, sample.utilizationPct);
    fold(current.power, sample.powerW);
    current.temperatureMax = max(current.temperatureMax, sample.temperatureC);
    current.vramUsedMax = max(current.vramUsedMax, sample.vramUsedBytes);
    if (sample.powerLimitW.ok) current.powerLimit = sample.powerLimitW.value;
    if (sample.vramTotalBytes.ok) current.vramTotal = sample.vramTotalBytes.value;
    if (sample.at - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = sample.at;
      this.guard(() => this.options.prune(sample.at - (this.options.retentionMs ?? TELEMETRY_RETENTION_MS)));
    }
  }

  /** Writes every open minute as it stands (on shutdown). */
  flush(): void {
    for (const [deviceId, current] of this.open) this.write(deviceId, current);
    this.open.clear();
  }

  private write(deviceId: string, current: Open): void {
    const row: TelemetryMinute = {
      deviceId,
      minute: current.minute,
      samples: current.samples,
      utilizationPct: mean(current.utilization),
      temperatureMaxC: current.temperatureMax,
      powerAvgW: mean(current.power),
      powerLimitW: current.powerLimit,
      vramUsedBytes: current.vramUsedMax === null ? null : Math.round(current.vramUsedMax),
      vramTotalBytes: current.vramTotal === null ? null : Math.round(current.vramTotal),
    };
    this.guard(() => this.options.write(row));
  }

  private guard(call: () => void): void {
    try {
      call();
    } catch (err) {
      this.options.logger?.error({ err }, 'telemetry history could not be written');
    }
  }
}

function fold(into: Fold, value: Measured<number>): void {
  if (!value.ok || !Number.isFinite(value.value)) return;
  into.count += 1;
  into.sum += value.value;
}

function mean(fold: Fold): number | null {
  return fold.count === 0 ? null : fold.sum / fold.count;
}

function max(current: number | null, value: Measured<number>): number | null {
  if (!value.ok || !Number.isFinite(value.value)) return current;
  return current === null ? value.value : Math.max(current, value.value);
}
