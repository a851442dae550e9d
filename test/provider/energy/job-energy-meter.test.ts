import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EnergySettings } from '../../../common/api-energy.js';
import { JobEnergyMeter, jobRunOf } from '../../../provider/energy/job-energy-meter.js';
import type { JobEnergyRecord } from '../../../provider/ledger/energy-store.js';
import { type DeviceSample, measured, notMeasurable } from '../../../provider/telemetry/sample.js';

const SETTINGS: EnergySettings = { electricityPrice: '0.25', currency: 'CHF', tokenPrice: '1', tokenDecimals: 18 };
const T = Date.UTC(2026, 5, 1, 12, 0, 0);

function sample(deviceId: string, at: number, watts: number | null, reason = 'nvidia-smi timed out after 3000 ms'): DeviceSample {
  const no = notMeasurable<never>(reason);
  return { deviceId, at, utilizationPct: no, vramUsedBytes: no, vramTotalBytes: no, temperatureC: no, powerW: watts === null ? notMeasurable(reason) : measured(watts), powerLimitW: no, foreignProcesses: no };
}

function meter(records: JobEnergyRecord[]) {
  return new JobEnergyMeter({
    record: (r) => void records.push(r),
    settings: () => SETTINGS,
    device: (id) => (id === 'gpu-0' ? { id, name: 'NVIDIA GeForce RTX 3060', vendor: 'nvidia' } : undefined),
    intervalMs: 5000,
  });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('JobEnergyMeter', () => {
  it('waits for the reading after the run ends, then records the trapezoid over the worker-timed run with the price in force', async () => {
    const records: JobEnergyRecord[] = [];
    const m = meter(records);
    m.addSample(sample('gpu-0', T, 100));
    m.addSample(sample('gpu-0', T + 5000, 200));
    let done = false;
    const recorded = m.jobRan({ jobId: 'j1', deviceId: 'gpu-0', startedAt: T - 3000, endedAt: T + 8000, busyMs: 6000, sharedBy: 1 }).then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    expect(records).toEqual([]);
    // Another device's reading does not close the run; this device's next one does.
    m.addSample(sample('gpu-1', T + 10_000, 999));
    m.addSample(sample('gpu-0', T + 10_000, 200));
    await recorded;
    // Run 2 s → 8 s (8 s end − 6 s busy): 2→5 s: 140 → 200 W, 510 J; 5→8 s: 200 W, 600 J; 1110 J.
    expect(records).toEqual([
      { jobId: 'j1', deviceId: 'gpu-0', startedAt: T + 2000, endedAt: T + 8000, energyMj: 1_110_000n, estimated: false, powerSource: 'measured', priceMicroPerKwh: 250_000n, currency: 'CHF' },
    ]);
  });

  it('records with the typical draw when power is not measurable, and says why', async () => {
    const records: JobEnergyRecord[] = [];
    const m = meter(records);
    m.addSample(sample('gpu-0', T, null));
    const recorded = m.jobRan({ jobId: 'j2', deviceId: 'gpu-0', startedAt: T, endedAt: T + 4000, busyMs: null, sharedBy: 1 });
    m.addSample(sample('gpu-0', T + 5000, null));
    await recorded;
    // RTX 3060: 170 W × 4 s = 680 J.
    expect(records[0]).toMatchObject({ energyMj: 680_000n, estimated: true });
    expect(records[0]!.powerSource).toBe('estimated: typical draw of NVIDIA GeForce RTX 3060 (170 W board power); power not measurable (nvidia-smi timed out after 3000 ms)');
  });

  it('shares a batch equally and records at once for a device no sampler reads', async () => {
    const records: JobEnergyRecord[] = [];
    const m = meter(records);
    await m.jobRan({ jobId: 'j3', deviceId: 'cpu', startedAt: T, endedAt: T + 10_000, busyMs: 10_000, sharedBy: 4 });
    // CPU 65 W × 10 s / 4 = 162.5 J.
    expect(records[0]).toMatchObject({ jobId: 'j3', energyMj: 162_500n, estimated: true });
    expect(records[0]!.powerSource).toContain('no power reading for this device');
  });

  it('gives up waiting after about two sampling intervals and records with the readings there are', async () => {
    vi.useFakeTimers();
    const records: JobEnergyRecord[] = [];
    const m = meter(records);
    m.addSample(sample('gpu-0', T, 150));
    const recorded = m.jobRan({ jobId: 'j4', deviceId: 'gpu-0', startedAt: T, endedAt: T + 2000, busyMs: 2000, sharedBy: 1 });
    await vi.advanceTimersByTimeAsync(10_999);
    expect(records).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(2);
    await recorded;
    // 150 W held from the last reading (within the 11 s allowance): 300 J, measured.
    expect(records[0]).toMatchObject({ energyMj: 300_000n, estimated: false });
  });

  it('flush records every waiting run, and a failed record is logged, not thrown', async () => {
    const logged: unknown[] = [];
    const m = new JobEnergyMeter({
      record: () => {
        throw new Error('ledger closed');
      },
      settings: () => SETTINGS,
      device: () => undefined,
      intervalMs: 5000,
      logger: { error: (...args: unknown[]) => logged.push(args) } as never,
    });
    m.addSample(sample('gpu-0', T, 100));
    const recorded = m.jobRan({ jobId: 'j5', deviceId: 'gpu-0', startedAt: T, endedAt: T + 1000, busyMs: null, sharedBy: 1 });
    m.flush();
    await recorded;
    expect(logged).toHaveLength(1);
  });

  it('reads the device time and batch from a worker result, and the whole call from a failure', () => {
    const ok = {
      ok: true as const,
      value: {
        outputs: [],
        outputSha256: 'a'.repeat(64),
        fingerprint: { kind: 'none' } as never,
        timings: { queueMs: 40, loadMs: 10, runMs: 25.5 },
        executionProvider: 'cuda' as const,
        deviceId: 'gpu-0',
        batchSize: 3,
      },
    };
    expect(jobRunOf('j', 'gpu-0', T, T + 100, ok)).toEqual({ jobId: 'j', deviceId: 'gpu-0', startedAt: T, endedAt: T + 100, busyMs: 35.5, sharedBy: 3 });
    expect(jobRunOf('j', 'gpu-0', T, T + 100, { ok: false, error: { code: 'timeout', message: 'late' } })).toEqual({
      jobId: 'j',
      deviceId: 'gpu-0',
      startedAt: T,
      endedAt: T + 100,
      busyMs: null,
      sharedBy: 1,
    });
  });
});
