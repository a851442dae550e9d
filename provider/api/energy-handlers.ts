/** `earnings.net` and `telemetry.history`: net earnings after electricity and per-minute telemetry, from the ledger. */
import { type EnergySettings, type EnergySettingsPatch, MAX_TELEMETRY_MINUTES, type NetFigures as WireFigures } from '../../common/api-energy.js';
import type { MethodInput, MethodOutput } from '../../common/api.js';
import { isKnownTimeZone } from '../../common/api-settings.js';
import { startOfLocalDay, systemTimeZone } from '../energy/local-day.js';
import { MJ_PER_KWH, formatMicro, parseMicro } from '../energy/money.js';
import { type NetFigures, type NetRange, type NetValuation, addJob, emptyFigures } from '../ledger/energy-net-queries.js';
import { SettingsRejected } from '../scheduler/settings-store.js';
import { ApiFailure, type ApiHandlers } from './dispatch.js';
import { type LedgerSource, fromLedger } from './ledger-handlers.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The longest range `earnings.net` takes (its days list holds at most 400 days). */
const MAX_NET_DAYS = 399;

/** What the energy handlers read besides the ledger. */
export type EnergyHandlerContext = {
  /** The electricity price, currency and token value in force. */
  settings: () => EnergySettings;
  /** Saves a change to them; rejects with SettingsRejected (provider/scheduler/settings-store.ts) when invalid. */
  update: (patch: EnergySettingsPatch) => Promise<EnergySettings>;
  /** The user's time zone from the settings, or null for this machine's. */
  timeZone: () => string | null;
  /** The payout token's decimals as the marketplace announced them, which win over the setting; null when unknown. */
  payoutDecimals?: () => number | null;
  now?: () => number;
};

/** The energy handlers, spread into createHandlers. */
export function energyHandlers(
  ledger: LedgerSource,
  ctx: EnergyHandlerContext,
): Pick<ApiHandlers, 'earnings.net' | 'telemetry.history' | 'energy.settings.get' | 'energy.settings.update'> {
  const now = ctx.now ?? Date.now;
  return {
    'energy.settings.get': () => ctx.settings(),
    'energy.settings.update': async (input) => {
      try {
        return await ctx.update(input);
      } catch (err) {
        if (err instanceof SettingsRejected) throw new ApiFailure('invalid_input', `Setting ${err.message}`);
        throw err;
      }
    },
    'earnings.net': (input) => earningsNet(ledger, ctx, input, now()),
    'telemetry.history': (input) => telemetryHistory(ledger, input, now()),
  };
}

/** `earnings.net`: totals, local days, devices, the newest jobs and the projection per day. */
export function earningsNet(source: LedgerSource, ctx: EnergyHandlerContext, input: MethodInput<'earnings.net'>, now: number): MethodOutput<'earnings.net'> {
  const timeZone = input.timeZone ?? ctx.timeZone() ?? systemTimeZone();
  if (!isKnownTimeZone(timeZone)) throw new ApiFailure('invalid_input', `Unknown time zone ${JSON.stringify(timeZone)}; use an IANA name such as Europe/Berlin.`);
  const to = input.to ?? now + 1;
  // Thirty whole local days: today and the 29 before it (noon avoids landing on a daylight-saving edge).
  const from = input.from ?? startOfLocalDay(startOfLocalDay(to - 1, timeZone) - 29 * DAY + 12 * HOUR, timeZone);
  if (from > to) throw new ApiFailure('invalid_input', `The range starts (${from}) after it ends (${to}); give from ≤ to, in epoch milliseconds.`);
  if (to - from > MAX_NET_DAYS * DAY) throw new ApiFailure('invalid_input', `earnings.net spans at most ${MAX_NET_DAYS} days; narrow the range.`);
  const settings = ctx.settings();
  const tokenDecimals = ctx.payoutDecimals?.() ?? settings.tokenDecimals;
  const valuation: NetValuation = { currency: settings.currency, tokenPriceMicro: parseMicro(settings.tokenPrice), tokenDecimals };
  const range: NetRange = { from, to };
  const limit = input.jobsLimit ?? 50;
  return fromLedger(source, (ledger) => {
    const report = ledger.net.report(range, valuation, timeZone);
    const newest = limit === 0 ? [] : ledger.net.newest(range, valuation, limit + 1);
    const lastHour = emptyFigures();
    // The current rate is the last hour before now, whatever range was asked for.
    for (const job of ledger.net.jobs({ from: Math.max(0, now - HOUR), to: now + 1 }, valuation)) if (!job.otherCurrency) addJob(lastHour, job);
    return {
      from,
      to,
      timeZone,
      currency: settings.currency,
      electricityPrice: formatMicro(parseMicro(settings.electricityPrice)),
      tokenPrice: formatMicro(valuation.tokenPriceMicro),
      tokenDecimals,
      totals: wire(report.totals),
      days: report.byDay.map(({ day, ...figures }) => ({ day, ...wire(figures) })),
      devices: report.byDevice.slice(0, 64).map(({ deviceId, ...figures }) => ({ deviceId, ...wire(figures) })),
      jobs: newest.slice(0, limit).map((job) => ({
        jobId: job.jobId,
        state: job.state,
        at: job.at,
        deviceId: job.deviceId,
        token: job.token,
        credited: job.credited,
        energyWh: job.energyMj === null ? null : watthours(job.energyMj),
        estimated: job.estimated,
        powerSource: job.powerSource,
        electricityPrice: job.priceMicroPerKwh === null ? null : formatMicro(job.priceMicroPerKwh),
        gross: formatMicro(job.grossMicro),
        energyCost: formatMicro(job.costMicro),
        net: formatMicro(job.netMicro),
      })),
      jobsTruncated: newest.length > limit || (limit === 0 && report.totals.jobs > 0),
      otherCurrencyJobs: report.otherCurrencyJobs,
      projection: { basis: 'last hour × 24' as const, jobs: lastHour.jobs, netPerDay: formatMicro(lastHour.netMicro * 24n) },
    };
  });
}

/** `telemetry.history`: the stored minutes in the range (default the last 24 hours), oldest first. */
export function telemetryHistory(source: LedgerSource, input: MethodInput<'telemetry.history'>, now: number): MethodOutput<'telemetry.history'> {
  const to = input.to ?? now + 1;
  const from = input.from ?? Math.max(0, to - DAY);
  if (from > to) throw new ApiFailure('invalid_input', `The range starts (${from}) after it ends (${to}); give from ≤ to, in epoch milliseconds.`);
  const minutes = fromLedger(source, (ledger) =>
    ledger.telemetry.read({ from, to, limit: MAX_TELEMETRY_MINUTES + 1, ...(input.deviceId === undefined ? {} : { deviceId: input.deviceId }) }),
  );
  return { from, to, minutes: minutes.slice(0, MAX_TELEMETRY_MINUTES), truncated: minutes.length > MAX_TELEMETRY_MINUTES };
}

/** Millijoules as watt-hours (a display figure: money is computed from the integer millijoules). */
function watthours(energyMj: bigint): number {
  return Number(energyMj) / Number(MJ_PER_KWH / 1000n);
}

function wire(figures: NetFigures): WireFigures {
  return {
    jobs: figures.jobs,
    energyWh: watthours(figures.energyMj),
    estimatedJobs: figures.estimatedJobs,
    unmeteredJobs: figures.unmeteredJobs,
    gross: formatMicro(figures.grossMicro),
    energyCost: formatMicro(figures.costMicro),
    net: formatMicro(figures.netMicro),
  };
}

