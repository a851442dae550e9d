/**
 * VRAM reserve: Hearth never takes a job whose model would leave less than the reserve free on the
 * device. A model's size on disk is the estimate of what it needs (a lower bound: activations come on
 * top). A device already under the reserve drains.
 */
import type { SchedulerSettings } from '../../common/api-settings.js';
import type { DeviceSample } from '../telemetry/sample.js';
import { RUN, type Verdict, gib, holdBack, notice } from './verdict.js';

/** Free device memory in bytes, or why it is not known. */
export function freeVram(sample: DeviceSample | undefined): { ok: true; value: number } | { ok: false; reason: string } {
  if (sample === undefined) return { ok: false, reason: 'no reading of this device yet' };
  if (!sample.vramTotalBytes.ok) return { ok: false, reason: sample.vramTotalBytes.reason };
  if (!sample.vramUsedBytes.ok) return { ok: false, reason: sample.vramUsedBytes.reason };
  return { ok: true, value: Math.max(0, sample.vramTotalBytes.value - sample.vramUsedBytes.value) };
}

/** Drains a device whose free memory is already under the reserve. */
export function vramReservePolicy(settings: SchedulerSettings, deviceId: string, sample: DeviceSample | undefined): Verdict {
  const reserve = settings.vramReserveBytes;
  if (reserve === 0 || deviceId === 'cpu') return RUN;
  const free = freeVram(sample);
  if (!free.ok) return notice('vram-reserve', deviceId, `VRAM reserve of ${gib(reserve)} not enforced on ${deviceId}: free memory not measurable (${free.reason}).`);
  if (free.value < reserve) return holdBack('vram-reserve', 'drain', deviceId, `Only ${gib(free.value)} of VRAM free; ${gib(reserve)} is kept for you, so no new jobs start here.`);
  return RUN;
}

/** Why a job with a model of `modelBytes` must not start on this device, or null when it fits. */
export function vramAdmission(settings: SchedulerSettings, deviceId: string, sample: DeviceSample | undefined, modelBytes: number): string | null {
  const reserve = settings.vramReserveBytes;
  if (reserve === 0 || deviceId === 'cpu') return null;
  const free = freeVram(sample);
  if (!free.ok) return null;
  if (free.value - modelBytes < reserve) {
    return `the model (${gib(modelBytes)}) would leave ${gib(Math.max(0, free.value - modelBytes))} of VRAM free on ${deviceId}, under the ${gib(reserve)} kept for you`;
  }
  return null;
}
