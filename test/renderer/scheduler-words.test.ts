import { describe, expect, it } from 'vitest';
import type { SchedulerState } from '../../common/api-scheduler.js';
import { decisionFor, deviceReadings, foreignProcessText, formatWatts, schedulerDeviceIds, sharedReason } from '../../renderer/scheduler-words.js';

type Sample = SchedulerState['telemetry'][number];
const no = (reason: string) => ({ ok: false as const, reason });
const yes = <T,>(value: T) => ({ ok: true as const, value });

const gpu: Sample = {
  deviceId: 'GPU-1',
  at: 1,
  utilizationPct: yes(97.4),
  vramUsedBytes: yes(12 * 1024 ** 3),
  vramTotalBytes: yes(24 * 1024 ** 3),
  temperatureC: yes(71.6),
  powerW: no('nvidia-smi cannot measure power draw on this card'),
  powerLimitW: yes(450),
  foreignProcesses: yes([{ pid: 51877, name: 'Cyberpunk2077.exe', usedVramBytes: null }]),
};

const cpuReason = 'This worker runs on the CPU; GPU readings do not apply to it';
const cpu: Sample = { deviceId: 'cpu', at: 1, utilizationPct: no(cpuReason), vramUsedBytes: no(cpuReason), vramTotalBytes: no(cpuReason), temperatureC: no(cpuReason), powerW: no(cpuReason), powerLimitW: no(cpuReason), foreignProcesses: no(cpuReason) };

describe('deviceReadings', () => {
  it('writes measured values with units and a missing one as not measurable with its reason, never 0', () => {
    expect(deviceReadings(gpu)).toEqual([
      { label: 'Temperature', text: '72 °C', reason: null },
      { label: 'Power', text: null, reason: 'nvidia-smi cannot measure power draw on this card' },
      { label: 'Utilization', text: '97 %', reason: null },
      { label: 'VRAM', text: '12 GiB of 24 GiB', reason: null },
    ]);
    expect(sharedReason(deviceReadings(gpu))).toBeNull();
  });

  it('says once why nothing is measurable when every reading shares the reason', () => {
    expect(sharedReason(deviceReadings(cpu))).toBe(cpuReason);
  });

  it('adds the power limit to a measured draw', () => {
    expect(deviceReadings({ ...gpu, powerW: yes(231.4) })[1]!.text).toBe('231 W of 450 W');
    expect(formatWatts(7.46)).toBe('7.5 W');
  });
});

describe('state helpers', () => {
  const state: SchedulerState = {
    action: 'pause',
    reasons: [
      { policy: 'manual', action: 'pause', deviceId: null, message: 'Paused by you.' },
      { policy: 'gaming', action: 'pause', deviceId: 'GPU-1', message: 'Gaming mode: Cyberpunk2077.exe (pid 51877) uses the GPU.' },
    ],
    notices: [],
    devices: [{ deviceId: 'GPU-1', action: 'pause', reasons: [], maxModelBytes: null }],
    evaluatedAt: 1,
    since: 1,
    manualPause: { all: true, devices: [] },
    telemetry: [gpu, cpu],
  };

  it('lists devices from decisions, then telemetry', () => {
    expect(schedulerDeviceIds(state)).toEqual(['GPU-1', 'cpu']);
    expect(decisionFor(state, 'cpu')).toEqual({ deviceId: 'cpu', action: 'run', reasons: [], maxModelBytes: null });
  });

  it('names the foreign programs on a GPU', () => {
    expect(foreignProcessText(gpu)).toBe('Cyberpunk2077.exe (pid 51877)');
    expect(foreignProcessText(cpu)).toBeNull();
  });
});
