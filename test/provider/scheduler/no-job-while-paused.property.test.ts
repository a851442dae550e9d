// Property: whatever the trace (temperatures, power, other programs on the GPU, battery, idle time,
// suspend, manual pauses, the clock crossing schedule windows, readings going "not measurable"), the
// scheduler never lets the marketplace client take a job while any pause reason holds, and it lets it
// take jobs again only when none does.
import fc from 'fast-check';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { SchedulerState } from '../../../common/api-scheduler.js';
import { SchedulerSettings } from '../../../common/api-settings.js';
import { localTime } from '../../../provider/scheduler/schedule-window.js';
import { Scheduler } from '../../../provider/scheduler/scheduler.js';
import type { DeviceSample, Measured } from '../../../provider/telemetry/sample.js';
import { RecordingClient, ScriptedHost } from './scheduler-harness.js';

const GPU = 'GPU-3b8f2d6e-1c4a-5e7b-9d0f-6a2c8e4b1f73';
const GiB = 1024 ** 3;
const NA = { ok: false as const, reason: 'nvidia-smi printed [N/A]' };

const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<Measured<T>> => fc.oneof({ weight: 5, arbitrary: arb.map((value) => ({ ok: true as const, value })) }, { weight: 1, arbitrary: fc.constant(NA) });

const settingsArb = fc.record({
  manualPause: fc.record({ all: fc.boolean(), devices: fc.subarray([GPU, 'cpu']) }),
  thermalCapC: fc.integer({ min: 60, max: 95 }),
  thermalHysteresisC: fc.integer({ min: 1, max: 20 }),
  powerCapW: fc.option(fc.integer({ min: 50, max: 500 })),
  powerCapMode: fc.constantFrom('pause' as const, 'smaller-jobs' as const),
  vramReserveBytes: fc.integer({ min: 0, max: 4 * GiB }),
  gamingMode: fc.record({ enabled: fc.boolean(), graceSeconds: fc.integer({ min: 0, max: 120 }) }),
  idleOnly: fc.record({ enabled: fc.boolean(), minutes: fc.integer({ min: 1, max: 30 }) }),
  schedule: fc.constantFrom(
    { timeZone: null, offWindows: [] },
    { timeZone: 'Europe/Berlin', offWindows: [{ days: ['mon' as const, 'tue' as const, 'wed' as const, 'thu' as const, 'fri' as const], from: '09:00', to: '18:00' }] },
    { timeZone: 'America/New_York', offWindows: [{ days: ['sat' as const], from: '00:00', to: '24:00' }, { days: ['sun' as const], from: '20:00', to: '22:30' }] },
  ),
  pauseOnBattery: fc.boolean(),
});

const stepArb = fc.record({
  advanceMs: fc.integer({ min: 0, max: 6 * 3_600_000 }),
  temperatureC: maybe(fc.integer({ min: 25, max: 100 })),
  powerW: maybe(fc.integer({ min: 5, max: 600 })),
  vramUsedBytes: maybe(fc.integer({ min: 0, max: 24 * GiB })),
  foreign: maybe(fc.array(fc.record({ pid: fc.integer({ min: 2, max: 99999 }), name: fc.constantFrom('game.exe', 'blender', 'obs'), usedVramBytes: fc.constant(null) }), { maxLength: 2 })),
  onBattery: maybe(fc.boolean()),
  idleSeconds: maybe(fc.integer({ min: 0, max: 7200 })),
  fullscreenApp: maybe(fc.option(fc.constant('Elden Ring'))),
  suspended: fc.boolean(),
});

type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

/** Every pause reason that must hold at this step, computed from the inputs alone (no memory). */
function mustHold(s: SchedulerSettings, step: Step, now: number): string[] {
  const held: string[] = [];
  if (s.manualPause.all || s.manualPause.devices.includes(GPU)) held.push('manual');
  if (step.suspended) held.push('suspend');
  if (s.pauseOnBattery && step.onBattery.ok && step.onBattery.value) held.push('battery');
  const { day, minutes } = localTime(now, s.schedule.timeZone);
  const minutesOf = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
  if (s.schedule.offWindows.some((w) => w.days.includes(day) && minutesOf(w.from) <= minutes && minutes < minutesOf(w.to))) held.push('schedule');
  if (s.idleOnly.enabled && (!step.idleSeconds.ok || step.idleSeconds.value < s.idleOnly.minutes * 60)) held.push('idle-only');
  if (s.gamingMode.enabled && ((step.foreign.ok && step.foreign.value.length > 0) || (step.fullscreenApp.ok && step.fullscreenApp.value !== null))) held.push('gaming');
  if (step.temperatureC.ok && step.temperatureC.value >= s.thermalCapC) held.push('thermal');
  if (s.powerCapW !== null && s.powerCapMode === 'pause' && step.powerW.ok && step.powerW.value > s.powerCapW) held.push('power');
  if (s.vramReserveBytes > 0 && step.vramUsedBytes.ok && 24 * GiB - step.vramUsedBytes.value < s.vramReserveBytes) held.push('vram-reserve');
  return held;
}

describe('the scheduler never takes a job while a pause reason holds', () => {
  it('holds for any trace', () => {
    fc.assert(
      fc.property(settingsArb, fc.integer({ min: Date.parse('2026-01-01'), max: Date.parse('2027-01-01') }), fc.array(stepArb, { minLength: 1, maxLength: 25 }), (raw, start, steps) => {
        const settings = SchedulerSettings.parse(raw);
        const clock = { now: start };
        let sample: DeviceSample | null = null;
        const host = new ScriptedHost();
        const client = new RecordingClient();
        const scheduler = new Scheduler({ settings: () => settings, deviceIds: () => [GPU, 'cpu'], logger: pino({ enabled: false }), publish: () => undefined, now: () => clock.now, tickMs: 3_600_000 });
        const telemetry = { all: () => (sample === null ? [] : [sample]), onSample: () => () => undefined };
        scheduler.start({ telemetry, host, target: client });
        try {
          for (const step of steps) {
            clock.now += step.advanceMs;
            sample = {
              deviceId: GPU,
              at: clock.now,
              utilizationPct: { ok: true, value: 50 },
              vramUsedBytes: step.vramUsedBytes,
              vramTotalBytes: { ok: true, value: 24 * GiB },
              temperatureC: step.temperatureC,
              powerW: step.powerW,
              powerLimitW: { ok: true, value: 450 },
              foreignProcesses: step.foreign,
            };
            host.state = { onBattery: step.onBattery, idleSeconds: step.idleSeconds, fullscreenApp: step.fullscreenApp, suspended: step.suspended };
            scheduler.evaluateNow();
            const state = scheduler.state();
            // What the renderer receives always fits the API contract.
            expect(SchedulerState.safeParse(state).success).toBe(true);
            const held = mustHold(settings, step, clock.now);
            for (const policy of held) expect(state.reasons.map((r) => r.policy)).toContain(policy);
            if (held.length > 0) {
              expect(state.action).not.toBe('run');
              expect(client.paused).not.toBeNull();
            }
            // The client is held back exactly while the decision is, with the reason the UI shows.
            expect(client.paused === null).toBe(state.action === 'run');
            if (client.paused !== null) expect(state.reasons.map((r) => r.message.slice(0, 200))).toContain(client.paused);
          }
        } finally {
          scheduler.stop();
        }
      }),
      { numRuns: 400 },
    );
  });
});
