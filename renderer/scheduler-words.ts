/**
 * How the dashboard words the scheduler's state: the decision as a sentence, each policy's name, and a
 * device's readings — where a reading that is not measurable says so with its reason, never as 0.
 */
import type { DeviceDecision, PolicyName, SchedulerAction, SchedulerState } from '../common/api-scheduler.js';
import { formatBytes } from './format.js';

type DeviceSample = SchedulerState['telemetry'][number];
type Measured<T> = { ok: true; value: T } | { ok: false; reason: string };

/** The node's (or a device's) decision in words: a title and what it means for jobs. */
export const actionWords: Record<SchedulerAction, { title: string; detail: string }> = {
  run: { title: 'Working', detail: 'Takes jobs when the marketplace offers them.' },
  drain: { title: 'Draining', detail: 'Finishes the jobs it is running and takes no new ones until the reasons below are gone.' },
  pause: { title: 'Paused', detail: 'Takes no jobs until every reason below is gone.' },
};

/** Each policy's name as a person reads it next to its reason. */
export const policyLabels: Record<PolicyName, string> = {
  manual: 'Paused by you',
  schedule: 'Off hours',
  'idle-only': 'Idle-only mode',
  gaming: 'Gaming mode',
  thermal: 'Thermal cap',
  power: 'Power cap',
  battery: 'On battery',
  suspend: 'System asleep',
  'vram-reserve': 'VRAM reserve',
};

/** One reading as text, or null text and the reason it is not measurable. */
export type Reading = { label: string; text: string | null; reason: string | null };

function reading<T>(label: string, measured: Measured<T>, format: (value: T) => string): Reading {
  return measured.ok ? { label, text: format(measured.value), reason: null } : { label, text: null, reason: measured.reason };
}

/** Watts without false precision: "231 W", "7.5 W". */
export function formatWatts(watts: number): string {
  return `${watts >= 100 ? Math.round(watts) : Math.round(watts * 10) / 10} W`;
}

/** A device's latest readings: temperature, power (with its limit), utilization, VRAM (used of total). */
export function deviceReadings(sample: DeviceSample): Reading[] {
  const power = reading('Power', sample.powerW, formatWatts);
  if (power.text !== null && sample.powerLimitW.ok) power.text += ` of ${formatWatts(sample.powerLimitW.value)}`;
  const vram = reading('VRAM', sample.vramUsedBytes, formatBytes);
  if (vram.text !== null && sample.vramTotalBytes.ok) vram.text += ` of ${formatBytes(sample.vramTotalBytes.value)}`;
  return [reading('Temperature', sample.temperatureC, (c) => `${Math.round(c)} °C`), power, reading('Utilization', sample.utilizationPct, (pct) => `${Math.round(pct)} %`), vram];
}

/** The reason every reading shares when none is measurable (the CPU worker, a missing tool), else null. */
export function sharedReason(readings: readonly Reading[]): string | null {
  const first = readings[0]?.reason ?? null;
  return first !== null && readings.every((r) => r.reason === first) ? first : null;
}

/** The programs on a device that are not Hearth's, in words, or null when none or not known. */
export function foreignProcessText(sample: DeviceSample): string | null {
  if (!sample.foreignProcesses.ok || sample.foreignProcesses.value.length === 0) return null;
  return sample.foreignProcesses.value.map((p) => `${p.name} (pid ${p.pid})`).join(', ');
}

/** Every device the state names, in the order decisions list them, then devices only telemetry knows. */
export function schedulerDeviceIds(state: SchedulerState): string[] {
  const ids = state.devices.map((d) => d.deviceId);
  for (const sample of state.telemetry) if (!ids.includes(sample.deviceId)) ids.push(sample.deviceId);
  return ids;
}

/** A device's decision, or run with no reasons when the scheduler has not decided for it. */
export function decisionFor(state: SchedulerState, deviceId: string): DeviceDecision {
  return state.devices.find((d) => d.deviceId === deviceId) ?? { deviceId, action: 'run', reasons: [], maxModelBytes: null };
}
