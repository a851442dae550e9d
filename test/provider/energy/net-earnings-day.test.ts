/**
 * "Net earnings over a test day match gross minus energy cost computed by hand": a day of jobs on three
 * devices, with known power traces fed through the real meter into a real ledger file, read back through
 * the `earnings.net` handler. Every expected figure below is worked out in the comments.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EnergySettings } from '../../../common/api-energy.js';
import { EarningsNet } from '../../../common/api-energy.js';
import { JobPage } from '../../../common/api.js';
import { earningsNet } from '../../../provider/api/energy-handlers.js';
import { JobEnergyMeter, type JobRun } from '../../../provider/energy/job-energy-meter.js';
import type { DrawDevice } from '../../../provider/energy/typical-draw.js';
import type { Ledger } from '../../../provider/ledger/ledger.js';
import { type DeviceSample, measured, notMeasurable } from '../../../provider/telemetry/sample.js';
import { SIG, creditJob, makeSpec, tempLedger } from '../ledger/ledger-fixtures.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Local time in Europe/Berlin on 2026-03-10 (UTC+1 then; summer time starts on 29 March). */
const L = (h: number, m: number, s = 0) => Date.UTC(2026, 2, 10, h - 1, m, s);
const DEVICES: DrawDevice[] = [
  { id: 'gpu-0', name: 'NVIDIA GeForce RTX 4090', vendor: 'nvidia' },
  { id: 'gpu-1', name: 'NVIDIA RTX A4000', vendor: 'nvidia' },
];

function sample(deviceId: string, at: number, watts: number | null): DeviceSample {
  const no = notMeasurable<never>('This worker runs on the CPU; GPU readings do not apply to it.');
  return {
    deviceId,
    at,
    utilizationPct: watts === null ? no : measured(90),
    vramUsedBytes: no,
    vramTotalBytes: no,
    temperatureC: watts === null ? no : measured(70),
    powerW: watts === null ? no : measured(watts),
    powerLimitW: no,
    foreignProcesses: no,
  };
}

/** Runs a job through the meter: readings every 5 s from `from` to `to`, the run reported, then the reading that closes it. */
async function meterJob(meter: JobEnergyMeter, run: JobRun, from: number, watts: (offsetS: number) => number | null): Promise<void> {
  for (let at = from; at < run.endedAt; at += 5000) meter.addSample(sample(run.deviceId, at, watts((at - from) / 1000)));
  const recorded = meter.jobRan(run);
  meter.addSample(sample(run.deviceId, run.endedAt, watts((run.endedAt - from) / 1000)));
  await recorded;
}

describe('net earnings over a test day', () => {
  it('match gross minus energy cost computed by hand, per job, per local day and per device', async () => {
    const fixture = await tempLedger();
    cleanups.push(fixture.cleanup);
    const ledger: Ledger = fixture.ledger;
    const settings: EnergySettings = { electricityPrice: '0.30', currency: 'EUR', tokenPrice: '0.05', tokenDecimals: 6 };
    const meter = new JobEnergyMeter({ record: (r) => void ledger.energy.record(r), settings: () => settings, device: (id) => DEVICES.find((d) => d.id === id), intervalMs: 5000 });

    // Credits: 1 token = 1000000 base units, worth 0.05 EUR → gross in µEUR = base units × 0.05.
    creditJob(ledger, makeSpec('A'), { deviceId: 'gpu-0', credited: '5000000' }); // gross 250000 µ
    creditJob(ledger, makeSpec('B'), { deviceId: 'gpu-0', credited: '1000000' }); // gross 50000 µ
    creditJob(ledger, makeSpec('C'), { deviceId: 'gpu-0', credited: '1000000' }); // gross 50000 µ
    creditJob(ledger, makeSpec('D'), { deviceId: 'cpu', credited: '500000' }); // gross 25000 µ
    ledger.jobs.offer(makeSpec('E'), SIG);
    ledger.jobs.accept('E');
    ledger.jobs.fail('E', 'timeout', 'The job did not finish by its deadline.'); // gross 0
    creditJob(ledger, makeSpec('F'), { deviceId: 'gpu-1', credited: '2000000' }); // gross 100000 µ
    creditJob(ledger, makeSpec('G'), { deviceId: 'gpu-0', credited: '1000000' }); // gross 50000 µ

    // A, 09:00–09:10 on gpu-0: 300 W until 295 s, 400 W from 300 s.
    // 300 × 295 + (300 + 400) / 2 × 5 + 400 × 300 = 210250 J; at 0.30/kWh: 210250 / 3600000 × 0.30 = 0.017520833 → 17521 µ.
    await meterJob(meter, { jobId: 'A', deviceId: 'gpu-0', startedAt: L(8, 59, 58), endedAt: L(9, 10), busyMs: 600_000, sharedBy: 1 }, L(9, 0), (t) => (t < 300 ? 300 : 400));
    // B and C, one batch of two, 14:00:00–14:00:30 at 350 W: 10500 J, 5250 J each → 437.5 → 438 µ each.
    const batch = { deviceId: 'gpu-0', startedAt: L(14, 0), endedAt: L(14, 0, 30), busyMs: 30_000, sharedBy: 2 };
    for (let at = L(14, 0); at < batch.endedAt; at += 5000) meter.addSample(sample('gpu-0', at, 350));
    const both = Promise.all([meter.jobRan({ ...batch, jobId: 'B' }), meter.jobRan({ ...batch, jobId: 'C' })]);
    meter.addSample(sample('gpu-0', batch.endedAt, 350));
    await both;
    // D, 20:00–20:02 on the CPU, power not measurable: typical 65 W × 120 s = 7800 J → 650 µ exactly, an estimate.
    await meterJob(meter, { jobId: 'D', deviceId: 'cpu', startedAt: L(20, 0), endedAt: L(20, 2), busyMs: 120_000, sharedBy: 1 }, L(20, 0), () => null);
    // E, failed after a minute at 300 W, 21:00–21:01 (no timings: the whole call counts): 18000 J → 1500 µ; net −1500 µ.
    await meterJob(meter, { jobId: 'E', deviceId: 'gpu-0', startedAt: L(21, 0), endedAt: L(21, 1), busyMs: null, sharedBy: 1 }, L(21, 0), () => 300);

    // The price goes up to 0.40; jobs already recorded keep 0.30.
    settings.electricityPrice = '0.40';
    // F, 00:30–00:31 local on gpu-1 (23:30 UTC the day before, still 10 March in Berlin) at 200 W: 12000 J → 1333.3 → 1333 µ.
    await meterJob(meter, { jobId: 'F', deviceId: 'gpu-1', startedAt: L(0, 30), endedAt: L(0, 31), busyMs: 60_000, sharedBy: 1 }, L(0, 30), () => 200);
    // G, 23:59:40–00:00:10 at 100 W, ends on 11 March: 3000 J → 333.3 → 333 µ.
    await meterJob(meter, { jobId: 'G', deviceId: 'gpu-0', startedAt: L(23, 59, 40), endedAt: L(24, 0, 10), busyMs: 30_000, sharedBy: 1 }, L(23, 59, 40), () => 100);

    const ctx = { settings: () => settings, timeZone: () => null, update: () => Promise.reject(new Error('not in this test')) };
    const now = L(21, 30);
    const result = earningsNet(() => ledger, ctx, { from: L(0, 0) - 86_400_000, to: L(0, 0) + 2 * 86_400_000, timeZone: 'Europe/Berlin', jobsLimit: 200 }, now);
    expect(EarningsNet.safeParse(result).success).toBe(true);
    expect(result).toMatchObject({ currency: 'EUR', electricityPrice: '0.400000', tokenPrice: '0.050000', timeZone: 'Europe/Berlin', otherCurrencyJobs: 0 });

    // 10 March: gross 250000 + 50000 + 50000 + 25000 + 0 + 100000 = 475000 µ;
    // cost 17521 + 438 + 438 + 650 + 1500 + 1333 = 21880 µ; net 453120 µ.
    // Energy 210250 + 5250 × 2 + 7800 + 18000 + 12000 = 258550 J = 71.819444 Wh.
    expect(result.days.map((d) => d.day)).toEqual(['2026-03-10', '2026-03-11']);
    const [tenth, eleventh] = result.days;
    expect(tenth).toMatchObject({ jobs: 6, estimatedJobs: 1, unmeteredJobs: 0, gross: '0.475000', energyCost: '0.021880', net: '0.453120' });
    expect(tenth!.energyWh).toBeCloseTo(258_550 / 3600, 6);
    expect(eleventh).toMatchObject({ jobs: 1, gross: '0.050000', energyCost: '0.000333', net: '0.049667' });
    expect(result.totals).toMatchObject({ jobs: 7, gross: '0.525000', energyCost: '0.022213', net: '0.502787' });

    // Per device, largest net first. gpu-0 (A, B, C, E, G): gross 400000, cost 17521 + 438 + 438 + 1500 + 333 = 20230, net 379770.
    expect(result.devices).toEqual([
      expect.objectContaining({ deviceId: 'gpu-0', jobs: 5, gross: '0.400000', energyCost: '0.020230', net: '0.379770' }),
      expect.objectContaining({ deviceId: 'gpu-1', jobs: 1, gross: '0.100000', energyCost: '0.001333', net: '0.098667' }),
      expect.objectContaining({ deviceId: 'cpu', jobs: 1, estimatedJobs: 1, gross: '0.025000', energyCost: '0.000650', net: '0.024350' }),
    ]);

    // Per job, newest first.
    const byId = new Map(result.jobs.map((job) => [job.jobId, job]));
    expect(result.jobs.map((job) => job.jobId)).toEqual(['G', 'E', 'D', 'C', 'B', 'A', 'F']);
    expect(byId.get('A')).toMatchObject({ deviceId: 'gpu-0', estimated: false, powerSource: 'measured', electricityPrice: '0.300000', gross: '0.250000', energyCost: '0.017521', net: '0.232479' });
    expect(byId.get('A')!.energyWh).toBeCloseTo(210_250 / 3600, 6);
    expect(byId.get('B')).toMatchObject({ energyCost: '0.000438', net: '0.049562' });
    expect(byId.get('C')).toMatchObject({ energyCost: '0.000438', net: '0.049562' });
    expect(byId.get('D')).toMatchObject({ deviceId: 'cpu', estimated: true, energyCost: '0.000650', net: '0.024350' });
    expect(byId.get('D')!.powerSource).toContain('typical CPU draw (65 W TDP)');
    expect(byId.get('D')!.powerSource).toContain('GPU readings do not apply');
    expect(byId.get('E')).toMatchObject({ state: 'failed', credited: null, gross: '0.000000', energyCost: '0.001500', net: '-0.001500' });
    expect(byId.get('F')).toMatchObject({ deviceId: 'gpu-1', electricityPrice: '0.400000', energyCost: '0.001333', net: '0.098667' });

    // The Jobs page shows each job's energy and cost beside it.
    const page = ledger.history.page({ limit: 200 });
    const item = (id: string) => page.items.find((job) => job.id === id)!;
    expect(item('A').energy).toEqual({ energyWh: 210_250 / 3600, estimated: false, energyCost: '0.017521', currency: 'EUR' });
    expect(item('D').energy).toMatchObject({ estimated: true, energyCost: '0.000650' });
    expect(JobPage.safeParse(page).success).toBe(true);

    // At 21:30 the last hour holds only E: −1500 µ × 24 = −0.036000 per day.
    expect(result.projection).toEqual({ basis: 'last hour × 24', jobs: 1, netPerDay: '-0.036000' });
  });
});
