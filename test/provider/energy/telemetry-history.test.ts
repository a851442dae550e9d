import { afterEach, describe, expect, it } from 'vitest';
import { TelemetryHistory as TelemetryHistoryOutput } from '../../../common/api-energy.js';
import { telemetryHistory } from '../../../provider/api/energy-handlers.js';
import { ApiFailure } from '../../../provider/api/dispatch.js';
import { TELEMETRY_RETENTION_MS, TelemetryRecorder } from '../../../provider/energy/telemetry-recorder.js';
import { type DeviceSample, measured, notMeasurable } from '../../../provider/telemetry/sample.js';
import { tempLedger } from '../ledger/ledger-fixtures.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const M = Date.UTC(2026, 5, 1, 12, 0, 0);
const GiB = 1024 ** 3;

function reading(deviceId: string, at: number, values: { util?: number; temp?: number; watts?: number; vram?: number } | null): DeviceSample {
  const no = notMeasurable<never>('rocm-smi printed garbage');
  const v = values ?? {};
  return {
    deviceId,
    at,
    utilizationPct: v.util === undefined ? no : measured(v.util),
    vramUsedBytes: v.vram === undefined ? no : measured(v.vram),
    vramTotalBytes: values === null ? no : measured(8 * GiB),
    temperatureC: v.temp === undefined ? no : measured(v.temp),
    powerW: v.watts === undefined ? no : measured(v.watts),
    powerLimitW: values === null ? no : measured(220),
    foreignProcesses: no,
  };
}

describe('telemetry history', () => {
  it('folds readings into one row per device-minute, leaves unmeasured fields out of averages, and serves them for charts', async () => {
    const fixture = await tempLedger();
    cleanups.push(fixture.cleanup);
    const { ledger } = fixture;
    const recorder = new TelemetryRecorder({ write: (row) => ledger.telemetry.write(row), prune: (before) => void ledger.telemetry.prune(before) });
    recorder.add(reading('gpu-0', M + 5_000, { util: 40, temp: 60, watts: 100, vram: 2 * GiB }));
    recorder.add(reading('gpu-0', M + 30_000, { util: 80, temp: 71, watts: 200, vram: 3 * GiB }));
    recorder.add(reading('gpu-0', M + 55_000, null));
    recorder.add(reading('gpu-1', M + 10_000, null));
    // Nothing is written until a later minute starts (or a flush).
    expect(ledger.telemetry.read({ from: 0, to: M * 2 })).toEqual([]);
    recorder.add(reading('gpu-0', M + 60_000, { util: 10, temp: 50, watts: 50, vram: GiB }));
    recorder.flush();

    const result = telemetryHistory(() => ledger, { from: M, to: M + 120_000 }, M + 120_000);
    expect(TelemetryHistoryOutput.safeParse(result).success).toBe(true);
    expect(result.truncated).toBe(false);
    expect(result.minutes).toEqual([
      // Averages of the two measured readings (the third was not measurable), hottest and fullest of them.
      { deviceId: 'gpu-0', minute: M, samples: 3, utilizationPct: 60, temperatureMaxC: 71, powerAvgW: 150, powerLimitW: 220, vramUsedBytes: 3 * GiB, vramTotalBytes: 8 * GiB },
      // Never measured: null, not 0.
      { deviceId: 'gpu-1', minute: M, samples: 1, utilizationPct: null, temperatureMaxC: null, powerAvgW: null, powerLimitW: null, vramUsedBytes: null, vramTotalBytes: null },
      { deviceId: 'gpu-0', minute: M + 60_000, samples: 1, utilizationPct: 10, temperatureMaxC: 50, powerAvgW: 50, powerLimitW: 220, vramUsedBytes: GiB, vramTotalBytes: 8 * GiB },
    ]);
    expect(telemetryHistory(() => ledger, { from: M, to: M + 120_000, deviceId: 'gpu-1' }, 0).minutes.map((row) => row.deviceId)).toEqual(['gpu-1']);
  });

  it('deletes rows older than the retention window as new readings arrive', async () => {
    const fixture = await tempLedger();
    cleanups.push(fixture.cleanup);
    const { ledger } = fixture;
    const old = M - TELEMETRY_RETENTION_MS - 120_000;
    ledger.telemetry.write({ deviceId: 'gpu-0', minute: old, samples: 1, utilizationPct: 5, temperatureMaxC: 40, powerAvgW: 30, powerLimitW: null, vramUsedBytes: null, vramTotalBytes: null });
    ledger.telemetry.write({ deviceId: 'gpu-0', minute: M - 60_000, samples: 1, utilizationPct: 5, temperatureMaxC: 40, powerAvgW: 30, powerLimitW: null, vramUsedBytes: null, vramTotalBytes: null });
    const recorder = new TelemetryRecorder({ write: (row) => ledger.telemetry.write(row), prune: (before) => void ledger.telemetry.prune(before) });
    recorder.add(reading('gpu-0', M, { util: 1 }));
    expect(ledger.telemetry.read({ from: 0, to: M * 2 }).map((row) => row.minute)).toEqual([M - 60_000]);
  });

  it('refuses a bad range with invalid_input and answers unavailable without a ledger', async () => {
    const fixture = await tempLedger();
    cleanups.push(fixture.cleanup);
    const failure = (call: () => unknown) => {
      try {
        call();
      } catch (err) {
        expect(err).toBeInstanceOf(ApiFailure);
        return (err as ApiFailure).code;
      }
      throw new Error('expected an ApiFailure');
    };
    expect(failure(() => telemetryHistory(() => fixture.ledger, { from: 10, to: 5 }, 0))).toBe('invalid_input');
    expect(failure(() => telemetryHistory(() => null, {}, 0))).toBe('unavailable');
    expect(() => fixture.ledger.telemetry.write({ deviceId: 'gpu-0', minute: 1234, samples: 1, utilizationPct: null, temperatureMaxC: null, powerAvgW: null, powerLimitW: null, vramUsedBytes: null, vramTotalBytes: null })).toThrow(
      expect.objectContaining({ code: 'invalid_input' }),
    );
  });
});
