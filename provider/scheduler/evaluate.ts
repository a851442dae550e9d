/**
 * The combinator: runs every policy for the node and for each device and folds their verdicts into one
 * decision per device and one for the node. The strongest action wins (pause over drain over run), and
 * every reason that holds is listed. The marketplace client serves all devices at once, so any reason
 * anywhere holds back every new job. Pure: the memory a policy needs between evaluations (hysteresis,
 * grace periods) goes in and comes out.
 */
import type { DeviceDecision, SchedulerAction, SchedulerNotice, SchedulerReason } from '../../common/api-scheduler.js';
import type { SchedulerSettings } from '../../common/api-settings.js';
import type { DeviceSample } from '../telemetry/sample.js';
import { type Sighting, gamingDevicePolicy, gamingHostPolicy } from './gaming-mode.js';
import type { HostState } from './host-signals.js';
import { idleOnlyPolicy } from './idle-only.js';
import { manualPausePolicy } from './manual-pause.js';
import { powerCapPolicy } from './power-cap.js';
import { batteryPolicy, suspendPolicy } from './power-state.js';
import { schedulePolicy } from './schedule-window.js';
import { thermalPolicy } from './thermal-cap.js';
import type { Verdict } from './verdict.js';
import { vramReservePolicy } from './vram-reserve.js';

/** What the policies remember between evaluations. */
export type SchedulerMemory = {
  hot: Record<string, boolean>;
  overPower: Record<string, boolean>;
  /** Last sighting of something in the way, per device id, and `host` for the fullscreen signal. */
  gaming: Record<string, Sighting | null>;
};

/** Nothing remembered yet. */
export function emptyMemory(): SchedulerMemory {
  return { hot: {}, overPower: {}, gaming: {} };
}

export type SchedulerInput = {
  settings: SchedulerSettings;
  /** The devices the node works on. */
  deviceIds: readonly string[];
  /** The latest sample per device (missing before the first). */
  telemetry: ReadonlyMap<string, DeviceSample>;
  now: number;
  host: HostState;
};

export type Decision = {
  action: SchedulerAction;
  reasons: SchedulerReason[];
  notices: SchedulerNotice[];
  devices: DeviceDecision[];
};

const RANK: Record<SchedulerAction, number> = { run: 0, drain: 1, pause: 2 };

/** The strongest action among the reasons (run when there is none). */
export function strongest(reasons: readonly SchedulerReason[]): SchedulerAction {
  return reasons.reduce<SchedulerAction>((best, r) => (RANK[r.action] > RANK[best] ? r.action : best), 'run');
}

/** Runs every policy and folds the verdicts into the node's and each device's decision. */
export function evaluate(input: SchedulerInput, memory: SchedulerMemory): { decision: Decision; memory: SchedulerMemory } {
  const { settings, now, host } = input;
  const next: SchedulerMemory = { hot: {}, overPower: {}, gaming: {} };
  const hostGaming = gamingHostPolicy(settings, host, now, memory.gaming.host ?? null);
  next.gaming.host = hostGaming.seen;
  const node = merge([manualPausePolicy(settings, null), suspendPolicy(host), batteryPolicy(settings, host), schedulePolicy(settings, now), idleOnlyPolicy(settings, host), hostGaming.verdict]);

  const devices: DeviceDecision[] = [];
  const deviceVerdicts: Verdict[] = [];
  for (const deviceId of input.deviceIds) {
    const sample = input.telemetry.get(deviceId);
    const gaming = gamingDevicePolicy(settings, deviceId, sample?.foreignProcesses, now, memory.gaming[deviceId] ?? null);
    next.gaming[deviceId] = gaming.seen;
    const thermal = thermalPolicy(settings, deviceId, sample?.temperatureC, memory.hot[deviceId] ?? false);
    next.hot[deviceId] = thermal.hot;
    const power = powerCapPolicy(settings, deviceId, sample?.powerW, memory.overPower[deviceId] ?? false);
    next.overPower[deviceId] = power.over;
    // The CPU worker has no GPU readings; the GPU policies say nothing about it rather than warn.
    const own = deviceId === 'cpu' ? merge([manualPausePolicy(settings, deviceId)]) : merge([manualPausePolicy(settings, deviceId), gaming.verdict, thermal.verdict, power.verdict, vramReservePolicy(settings, deviceId, sample)]);
    deviceVerdicts.push(own);
    const reasons = [...node.reasons, ...own.reasons];
    devices.push({ deviceId, action: strongest(reasons), reasons, maxModelBytes: own.maxModelBytes ?? null });
  }
  const all = merge([node, ...deviceVerdicts]);
  return { decision: { action: strongest(all.reasons), reasons: all.reasons, notices: all.notices, devices }, memory: next };
}

function merge(verdicts: readonly Verdict[]): Verdict {
  const limits = verdicts.flatMap((v) => (v.maxModelBytes == null ? [] : [v.maxModelBytes]));
  return {
    reasons: verdicts.flatMap((v) => v.reasons),
    notices: verdicts.flatMap((v) => v.notices),
    maxModelBytes: limits.length === 0 ? null : Math.min(...limits),
  };
}
