/**
 * The telemetry sampler (provider/telemetry/) feeding the energy meter and the telemetry recorder into a
 * real ledger. There is no GPU here, so nvidia-smi is a scripted stand-in (`fakeNvidiaSmi`) that prints
 * what the real tool prints for `--query-gpu` and `--query-compute-apps`, with a power draw the test sets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startEnergyMetering } from '../../../provider/energy/energy-metering.js';
import { createLogger } from '../../../provider/logger.js';
import { TelemetrySampler } from '../../../provider/telemetry/sampler.js';
import type { CommandRunner } from '../../../worker/devices/run-command.js';
import { SIG, creditJob, makeSpec, tempLedger } from '../ledger/ledger-fixtures.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const UUID = 'GPU-8e0c1f6a-3b2d-4c5e-9f70-123456789abc';
const T = Date.UTC(2026, 8, 1, 10, 0, 0);

/** A stand-in for nvidia-smi: one RTX 4090 drawing `power.watts` (or `[N/A]` when null), no other processes. */
function fakeNvidiaSmi(power: { watts: number | null }): CommandRunner {
  return (cmd, args) => {
    if (cmd !== 'nvidia-smi') return Promise.resolve({ status: 'missing' });
    if (args.some((a) => a.startsWith('--query-compute-apps'))) return Promise.resolve({ status: 'ok', stdout: '' });
    const draw = power.watts === null ? '[N/A]' : power.watts.toFixed(2);
    return Promise.resolve({ status: 'ok', stdout: `0, ${UUID}, 97, 6144, 24564, 71, ${draw}, 450.00\n` });
  };
}

describe('sampler → meter and recorder → ledger', () => {
  it('meters a job from the readings nvidia-smi gave, and keeps the minute for charts', async () => {
    const fixture = await tempLedger();
    cleanups.push(fixture.cleanup);
    const { ledger } = fixture;
    creditJob(ledger, makeSpec('job-1'), { deviceId: UUID, credited: '1000000' });
    ledger.jobs.offer(makeSpec('job-2'), SIG);
    const power = { watts: 300 as number | null };
    let now = T;
    const sampler = new TelemetrySampler({ run: fakeNvidiaSmi(power), platform: 'linux', deviceIds: () => [UUID], isOurs: () => false, now: () => now });
    const { logger, close } = createLogger(fixture.dir, 'fatal');
    cleanups.push(close);
    const settings = { electricityPrice: '0.50', currency: 'EUR', tokenPrice: '1', tokenDecimals: 6 };
    const metering = startEnergyMetering({
      sampler,
      ledger: () => ledger,
      settings: () => settings,
      devices: () => [{ id: UUID, name: 'NVIDIA GeForce RTX 4090', vendor: 'nvidia', vramBytes: 24 * 1024 ** 3 }],
      intervalMs: 5000,
      logger,
    });

    // Readings at 0, 5, 10 s: 300, 350, 400 W. The job ran 0 → 10 s: (300 + 350) / 2 × 5 + (350 + 400) / 2 × 5 = 3500 J.
    await sampler.sampleOnce();
    now = T + 5000;
    power.watts = 350;
    await sampler.sampleOnce();
    metering.onJobRun({ jobId: 'job-1', deviceId: UUID, startedAt: T, endedAt: T + 10_000, busyMs: 10_000, sharedBy: 1 });
    now = T + 10_000;
    power.watts = 400;
    await sampler.sampleOnce();
    // Then the card stops reporting power: job-2's run (10 → 12 s) holds the last reading (within the 11 s allowance).
    now = T + 15_000;
    power.watts = null;
    await sampler.sampleOnce();
    metering.onJobRun({ jobId: 'job-2', deviceId: UUID, startedAt: T + 10_000, endedAt: T + 12_000, busyMs: null, sharedBy: 1 });
    now = T + 61_000;
    await sampler.sampleOnce();
    metering.close();
    await sampler.stop();

    const valuation = { currency: 'EUR', tokenPriceMicro: 1_000_000n, tokenDecimals: 6 };
    const jobs = new Map([...ledger.net.jobs({ from: T, to: T + 60_000 }, valuation)].map((job) => [job.jobId, job]));
    // 3500 J at 0.50/kWh = 486.1 µ → 486; gross 1.000000; net 999514 µ.
    expect(jobs.get('job-1')).toMatchObject({ deviceId: UUID, energyMj: 3_500_000n, estimated: false, costMicro: 486n, netMicro: 999_514n });
    // 400 W × 2 s = 800 J → 111.1 µ → 111; not credited: net −111 µ.
    expect(jobs.get('job-2')).toMatchObject({ energyMj: 800_000n, estimated: false, costMicro: 111n, netMicro: -111n });

    const minutes = ledger.telemetry.read({ from: T, to: T + 120_000 });
    expect(minutes).toEqual([
      // Four readings in the first minute; power averaged over the three that had it: (300 + 350 + 400) / 3 = 350 W.
      { deviceId: UUID, minute: T, samples: 4, utilizationPct: 97, temperatureMaxC: 71, powerAvgW: 350, powerLimitW: 450, vramUsedBytes: 6144 * 1024 ** 2, vramTotalBytes: 24564 * 1024 ** 2 },
      // The second minute had one reading, without power: null, not 0.
      expect.objectContaining({ minute: T + 60_000, samples: 1, powerAvgW: null }),
    ]);
  });
});
