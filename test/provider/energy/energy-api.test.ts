import { afterEach, describe, expect, it } from 'vitest';
import { EarningsNet, EnergySettingsPatch } from '../../../common/api-energy.js';
import { ApiFailure } from '../../../provider/api/dispatch.js';
import { earningsNet, energyHandlers } from '../../../provider/api/energy-handlers.js';
import { localDayOf, startOfLocalDay } from '../../../provider/energy/local-day.js';
import { SettingsStore } from '../../../provider/scheduler/settings-store.js';
import { Settings, loadSettings } from '../../../provider/settings.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { creditJob, makeSpec, tempLedger } from '../ledger/ledger-fixtures.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function failureOf(call: () => unknown): Promise<ApiFailure> {
  try {
    await call();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiFailure);
    return err as ApiFailure;
  }
  throw new Error('expected an ApiFailure');
}

describe('energy settings', () => {
  it('default to a placeholder EUR tariff and a token worth 1, and are saved with the rest of the settings', async () => {
    const temp = await makeTempDir('hearth-energy-settings-');
    cleanups.push(temp.remove);
    const { settings } = await loadSettings(temp.dir);
    expect(settings.energy).toEqual({ electricityPrice: '0.30', currency: 'EUR', tokenPrice: '1', tokenDecimals: 18 });
    const store = new SettingsStore(temp.dir, settings);
    const ctx = { settings: () => store.current.energy, timeZone: () => null, update: async (patch: EnergySettingsPatch) => (await store.update({ energy: patch })).energy };
    const handlers = energyHandlers(() => null, ctx);
    expect(await handlers['energy.settings.update']({ electricityPrice: '0.2512', currency: 'CHF' })).toMatchObject({ electricityPrice: '0.2512', currency: 'CHF', tokenPrice: '1' });
    const reloaded = await loadSettings(temp.dir);
    expect(reloaded.settings.energy).toMatchObject({ electricityPrice: '0.2512', currency: 'CHF' });
    expect(reloaded.settings.scheduler).toEqual(settings.scheduler);
  });

  it('refuse prices that are not plain decimals or out of range, naming the field and the range', async () => {
    for (const bad of [{ electricityPrice: '0,30' }, { electricityPrice: '-0.1' }, { electricityPrice: '0.1234567' }, { currency: 'eur' }, { tokenDecimals: 40 }]) {
      expect(EnergySettingsPatch.safeParse(bad).success).toBe(false);
    }
    expect(Settings.safeParse({ energy: { electricityPrice: '250' } }).error?.issues[0]?.message).toBe('Must be between 0 and 100 per kWh.');
    const temp = await makeTempDir('hearth-energy-settings-');
    cleanups.push(temp.remove);
    const store = new SettingsStore(temp.dir, Settings.parse({}));
    const handlers = energyHandlers(() => null, { settings: () => store.current.energy, timeZone: () => null, update: async (patch) => (await store.update({ energy: patch })).energy });
    const failure = await failureOf(() => handlers['energy.settings.update']({ electricityPrice: '101' }));
    expect(failure.code).toBe('invalid_input');
    expect(failure.message).toContain('energy.electricityPrice');
    expect(failure.message).toContain('between 0 and 100');
    expect(store.current.energy.electricityPrice).toBe('0.30');
  });
});

describe('earnings.net', () => {
  const ctx = { settings: () => Settings.parse({}).energy, timeZone: () => 'Asia/Kathmandu', update: () => Promise.reject(new Error('unused')) };

  it('answers with zeros for an empty ledger, thirty local days back by default, in the settings time zone', async () => {
    const fixture = await tempLedger();
    cleanups.push(fixture.cleanup);
    const now = Date.UTC(2026, 6, 15, 10, 0, 0);
    const result = earningsNet(() => fixture.ledger, ctx, {}, now);
    expect(EarningsNet.safeParse(result).success).toBe(true);
    expect(result.timeZone).toBe('Asia/Kathmandu');
    // Kathmandu is UTC+5:45: local midnight of 16 June 2026 is 15 June 18:15 UTC.
    expect(result.from).toBe(Date.UTC(2026, 5, 15, 18, 15));
    expect(result.totals).toEqual({ jobs: 0, energyWh: 0, estimatedJobs: 0, unmeteredJobs: 0, gross: '0.000000', energyCost: '0.000000', net: '0.000000' });
    expect(result.projection.netPerDay).toBe('0.000000');
  });

  it('refuses an unknown time zone or a bad range with invalid_input, and says unavailable without a ledger', async () => {
    const fixture = await tempLedger();
    cleanups.push(fixture.cleanup);
    expect((await failureOf(() => earningsNet(() => fixture.ledger, ctx, { timeZone: 'Mars/Olympus' }, 0))).code).toBe('invalid_input');
    expect((await failureOf(() => earningsNet(() => fixture.ledger, ctx, { from: 10, to: 5 }, 0))).code).toBe('invalid_input');
    expect((await failureOf(() => earningsNet(() => fixture.ledger, ctx, { from: 0, to: 400 * 86_400_000 }, 0))).message).toContain('at most 399 days');
    expect((await failureOf(() => earningsNet(() => null, ctx, {}, 0))).code).toBe('unavailable');
  });
});

describe('earnings.net across a currency change', () => {
  it('leaves out, and counts, jobs costed in another currency instead of converting them', async () => {
    const fixture = await tempLedger();
    cleanups.push(fixture.cleanup);
    const { ledger } = fixture;
    const T = Date.UTC(2026, 4, 5, 12);
    for (const [id, currency] of [
      ['paid-in-usd', 'USD'],
      ['paid-in-eur', 'EUR'],
    ] as const) {
      creditJob(ledger, makeSpec(id), { credited: '1000000' });
      ledger.energy.record({ jobId: id, deviceId: 'cpu', startedAt: T, endedAt: T + 1000, energyMj: 3_600_000n, estimated: true, powerSource: 'typical', priceMicroPerKwh: 500_000n, currency });
    }
    const eur = { settings: () => ({ electricityPrice: '0.50', currency: 'EUR', tokenPrice: '1', tokenDecimals: 6 }), timeZone: () => 'UTC', update: () => Promise.reject(new Error('unused')) };
    const result = earningsNet(() => ledger, eur, { from: T - 1000, to: T + 10_000 }, T + 10_000);
    expect(result.otherCurrencyJobs).toBe(1);
    expect(result.jobs.map((job) => job.jobId)).toEqual(['paid-in-eur']);
    // 1 Wh at 0.50/kWh = 0.0005; gross 1.
    expect(result.totals).toMatchObject({ jobs: 1, gross: '1.000000', energyCost: '0.000500', net: '0.999500' });
  });
});

describe('local days', () => {
  it('follow daylight-saving changes', () => {
    // Berlin moves to summer time at 02:00 on 29 March 2026: that day is 23 hours long.
    const start = startOfLocalDay(Date.UTC(2026, 2, 29, 12), 'Europe/Berlin');
    expect(start).toBe(Date.UTC(2026, 2, 28, 23));
    expect(startOfLocalDay(Date.UTC(2026, 2, 30, 12), 'Europe/Berlin')).toBe(Date.UTC(2026, 2, 29, 22));
    const dayOf = localDayOf('Europe/Berlin');
    expect(dayOf(Date.UTC(2026, 2, 28, 22, 59))).toBe('2026-03-28');
    expect(dayOf(Date.UTC(2026, 2, 28, 23, 0))).toBe('2026-03-29');
    expect(dayOf(Date.UTC(2026, 2, 29, 21, 59))).toBe('2026-03-29');
    expect(dayOf(Date.UTC(2026, 2, 29, 22, 0))).toBe('2026-03-30');
  });
});
