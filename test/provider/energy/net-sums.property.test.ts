/**
 * Money never goes through floats: for random jobs recorded into a real ledger, each job's net is the
 * exact gross − cost rounded half up to a µ-unit, and every day's, device's and the total net is exactly
 * the sum of its jobs' nets, in any time zone.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MJ_PER_KWH } from '../../../provider/energy/money.js';
import { localDayOf } from '../../../provider/energy/local-day.js';
import type { Ledger } from '../../../provider/ledger/ledger.js';
import { SIG, makeSpec, tempLedger } from '../ledger/ledger-fixtures.js';

const DAY = 86_400_000;
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kathmandu', 'Pacific/Chatham', 'Australia/Lord_Howe'];

const Job = fc.record({
  // Repeated amounts and clustered times put several jobs in one group of the report's query.
  credited: fc.option(fc.oneof(fc.constantFrom(10n, 999_999n, 10n ** 18n + 1n), fc.bigInt({ min: 0n, max: 10n ** 24n })), { nil: null }),
  energyMj: fc.bigInt({ min: 0n, max: 10n ** 12n }),
  priceMicro: fc.bigInt({ min: 0n, max: 10n ** 8n }),
  offsetMs: fc.oneof(fc.integer({ min: 0, max: 2 * DAY - 1 }), fc.integer({ min: DAY - 60_000, max: DAY + 60_000 })),
  device: fc.constantFrom('gpu-0', 'gpu-1', 'cpu'),
  otherCurrency: fc.boolean(),
});

let fixture: Awaited<ReturnType<typeof tempLedger>>;
beforeAll(async () => {
  fixture = await tempLedger();
});
afterAll(async () => {
  await fixture.cleanup();
});

let runs = 0;

describe('net sums', () => {
  it('per-job nets are within half a µ-unit of the exact value, and every group is exactly the sum of its jobs', () => {
    fc.assert(
      fc.property(
        fc.array(Job, { minLength: 1, maxLength: 8 }),
        fc.constantFrom(...ZONES),
        fc.bigInt({ min: 0n, max: 10n ** 9n }),
        fc.integer({ min: 0, max: 24 }),
        (jobs, timeZone, tokenPriceMicro, tokenDecimals) => {
          const ledger: Ledger = fixture.ledger;
          // Each run gets its own two days, far from the others.
          const base = Date.UTC(2030, 0, 1) + runs * 10 * DAY;
          runs += 1;
          for (const [i, job] of jobs.entries()) {
            const id = `run${runs}-job${i}`;
            ledger.jobs.offer(makeSpec(id), SIG);
            ledger.jobs.accept(id);
            ledger.jobs.start(id, job.device);
            if (job.credited !== null) {
              const receipt = ledger.receipts.record({ ...receiptFor(id), deviceId: job.device });
              ledger.receipts.markSent(id, SIG);
              ledger.credits.record({ jobId: id, seq: receipt.seq, credited: job.credited.toString(), signature: SIG });
            } else {
              ledger.jobs.fail(id, 'timeout', 'late');
            }
            const endedAt = base + job.offsetMs;
            ledger.energy.record({
              jobId: id,
              deviceId: job.device,
              startedAt: endedAt - 1000,
              endedAt,
              energyMj: job.energyMj,
              estimated: false,
              powerSource: 'measured',
              priceMicroPerKwh: job.priceMicro,
              currency: job.otherCurrency ? 'USD' : 'EUR',
            });
          }
          const valuation = { currency: 'EUR', tokenPriceMicro, tokenDecimals };
          const range = { from: base, to: base + 2 * DAY };
          const listed = [...ledger.net.jobs(range, valuation)];
          expect(listed).toHaveLength(jobs.length);
          const counted = listed.filter((job) => !job.otherCurrency);
          const scale = 10n ** BigInt(tokenDecimals);
          for (const job of counted) {
            const source = jobs[Number(job.jobId.split('job')[1])]!;
            // Exact values as fractions: gross = credited × price / 10^decimals, cost = mJ × price / 3.6e9.
            expect(halfUnitOff(job.grossMicro, (source.credited ?? 0n) * tokenPriceMicro, scale)).toBe(true);
            expect(halfUnitOff(job.costMicro, source.energyMj * source.priceMicro, MJ_PER_KWH)).toBe(true);
            expect(job.netMicro).toBe(job.grossMicro - job.costMicro);
          }
          const report = ledger.net.report(range, valuation, timeZone);
          const sum = (list: typeof counted) => list.reduce((total, job) => total + job.netMicro, 0n);
          expect(report.totals.netMicro).toBe(sum(counted));
          expect(report.otherCurrencyJobs).toBe(listed.length - counted.length);
          const dayOf = localDayOf(timeZone);
          for (const day of report.byDay) expect(day.netMicro).toBe(sum(counted.filter((job) => dayOf(job.at) === day.day)));
          for (const device of report.byDevice) expect(device.netMicro).toBe(sum(counted.filter((job) => job.deviceId === device.deviceId)));
          expect(report.byDay.reduce((total, day) => total + day.netMicro, 0n)).toBe(report.totals.netMicro);
          expect(report.byDay.reduce((total, day) => total + day.jobs, 0)).toBe(counted.length);
        },
      ),
      { numRuns: 25 },
    );
  });
});

/** True when `rounded` is within half a unit of numerator / denominator: |2·(rounded·den − num)| ≤ den. */
function halfUnitOff(rounded: bigint, numerator: bigint, denominator: bigint): boolean {
  const twice = 2n * (rounded * denominator - numerator);
  return (twice < 0n ? -twice : twice) <= denominator;
}

function receiptFor(id: string) {
  const spec = makeSpec(id);
  return {
    jobId: id,
    modelSha256: spec.model.sha256,
    inputSha256: spec.inputSha256,
    outputSha256: spec.model.sha256,
    fingerprintHash: `0x${spec.inputSha256}`,
    runMs: 1,
    executionProvider: 'cpu' as const,
    deviceId: 'cpu',
  };
}
