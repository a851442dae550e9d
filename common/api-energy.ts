/**
 * Energy and net earnings in the API contract: the electricity settings, `earnings.net` (gross, energy,
 * energy cost and net per job, per local day and per device, and a projection per day) and
 * `telemetry.history` (per-minute device readings for charts). Money is exact decimal text in the
 * currency's units with six decimal places ("-1.250000"), computed in integers by the provider, never
 * with floats; energy is in watt-hours as a number (a measurement, not money).
 */
import { z } from 'zod';

/** A non-negative decimal with at most 12 integer and 6 fractional digits: "0.30", "12", "0.000125". */
export const MICRO_DECIMAL_PATTERN = /^(0|[1-9][0-9]{0,11})(\.[0-9]{1,6})?$/;
const MicroDecimal = z.string().max(19).regex(MICRO_DECIMAL_PATTERN, 'Use a decimal number such as 0.30 (at most 6 decimal places, no sign or spaces).');

/** Exact money in the currency's units, six decimals, signed: "12.345600", "-0.000100". */
export const Money = z.string().max(40).regex(/^-?(0|[1-9][0-9]*)\.[0-9]{6}$/);

/** What a job used and what that cost (in `jobs.list` items, once the job was metered). */
export const JobEnergy = z.object({
  energyWh: z.number().nonnegative(),
  /** True when (part of) the power was the card's typical draw, not a measurement. */
  estimated: z.boolean(),
  /** At the electricity price in force when it ran. */
  energyCost: Money,
  currency: z.string().max(3),
});
export type JobEnergy = z.infer<typeof JobEnergy>;

/** The inputs of net earnings, kept in the settings file under `energy`. */
export const EnergySettings = z.object({
  /** What one kWh costs, in `currency`. The default is a placeholder (a typical European household tariff): set yours. */
  electricityPrice: MicroDecimal.refine((text) => Number(text) <= 100, 'Must be between 0 and 100 per kWh.').default('0.30'),
  /** ISO 4217 code of the electricity price and of every figure in `earnings.net`. */
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'Use a three-letter ISO 4217 currency code such as EUR or USD.')
    .default('EUR'),
  /** What one whole payout token is worth in `currency` (1 for the local demo's stable test token). */
  tokenPrice: MicroDecimal.default('1'),
  /** The payout token's decimals (base units per whole token are 10^tokenDecimals), used when the marketplace does not announce them. */
  tokenDecimals: z.number().int('Must be a whole number of decimals.').min(0, 'Must be between 0 and 36.').max(36, 'Must be between 0 and 36.').default(18),
});
export type EnergySettings = z.output<typeof EnergySettings>;

const EpochMs = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** Sums over a group of jobs. */
export const NetFigures = z.object({
  jobs: z.number().int().nonnegative(),
  energyWh: z.number().nonnegative(),
  /** Jobs whose energy is (partly) the card's typical draw, not a measurement. */
  estimatedJobs: z.number().int().nonnegative(),
  /** Credited jobs with no energy recorded (cost counted as 0; they ran before metering or across a crash). */
  unmeteredJobs: z.number().int().nonnegative(),
  /** Credited amounts valued at `tokenPrice`. */
  gross: Money,
  energyCost: Money,
  /** gross − energyCost. */
  net: Money,
});
export type NetFigures = z.infer<typeof NetFigures>;

/** One job's figures. */
export const JobNet = z.object({
  jobId: z.string().max(200),
  state: z.string().max(30),
  /** When it counts: the end of its run, or its credit time when no run was metered. */
  at: z.number().int(),
  deviceId: z.string().max(200).nullable(),
  token: z.string().max(42),
  /** Base units credited, null until credited. */
  credited: z.string().max(100).nullable(),
  energyWh: z.number().nonnegative().nullable(),
  estimated: z.boolean().nullable(),
  /** Where the power figure came from, in words. */
  powerSource: z.string().max(500).nullable(),
  /** The electricity price per kWh in force when it ran. */
  electricityPrice: Money.nullable(),
  gross: Money,
  energyCost: Money,
  net: Money,
});
export type JobNet = z.infer<typeof JobNet>;

export const EarningsNetInput = z
  .object({
    /** Jobs counted from `from` (inclusive) to `to` (exclusive). Defaults: now, and local midnight 29 days before today's. */
    from: EpochMs.optional(),
    to: EpochMs.optional(),
    /** IANA zone for the days; default the scheduler's time zone setting, else this machine's. */
    timeZone: z.string().max(100).optional(),
    /** How many of the newest jobs to list (default 50). */
    jobsLimit: z.number().int().min(0).max(200).optional(),
  })
  .strict();

export const EarningsNet = z.object({
  from: z.number().int(),
  to: z.number().int(),
  timeZone: z.string().max(100),
  currency: z.string().max(3),
  /** The settings used: the price per kWh in force now, and the token's value in `currency`. */
  electricityPrice: Money,
  tokenPrice: Money,
  tokenDecimals: z.number().int(),
  totals: NetFigures,
  /** Local days (YYYY-MM-DD), oldest first; days without jobs are left out. */
  days: z.array(NetFigures.extend({ day: z.string().max(10) })).max(400),
  /** Largest net first. */
  devices: z.array(NetFigures.extend({ deviceId: z.string().max(200).nullable() })).max(64),
  /** The newest jobs in the range, newest first. */
  jobs: z.array(JobNet).max(200),
  jobsTruncated: z.boolean(),
  /** Jobs left out because their cost was recorded in another currency (never converted). */
  otherCurrencyJobs: z.number().int().nonnegative(),
  /** Net per day at the current rate: the net of the jobs that counted in the last hour before now, times 24. */
  projection: z.object({ basis: z.literal('last hour × 24'), jobs: z.number().int().nonnegative(), netPerDay: Money }),
});
export type EarningsNet = z.infer<typeof EarningsNet>;

/** One device-minute of telemetry; a field never measured that minute is null. */
export const TelemetryMinute = z.object({
  deviceId: z.string().max(200),
  minute: z.number().int(),
  samples: z.number().int().positive(),
  utilizationPct: z.number().nullable(),
  temperatureMaxC: z.number().nullable(),
  powerAvgW: z.number().nullable(),
  powerLimitW: z.number().nullable(),
  vramUsedBytes: z.number().int().nullable(),
  vramTotalBytes: z.number().int().nullable(),
});
export type TelemetryMinute = z.infer<typeof TelemetryMinute>;

/** The most minutes one `telemetry.history` reply holds. */
export const MAX_TELEMETRY_MINUTES = 20_000;

export const TelemetryHistoryInput = z
  .object({
    /** Default: the last 24 hours. */
    from: EpochMs.optional(),
    to: EpochMs.optional(),
    deviceId: z.string().min(1).max(200).optional(),
  })
  .strict();

export const TelemetryHistory = z.object({
  from: z.number().int(),
  to: z.number().int(),
  /** Oldest first. */
  minutes: z.array(TelemetryMinute).max(MAX_TELEMETRY_MINUTES),
  truncated: z.boolean(),
});

/** A change to some energy settings; fields left out keep their value. */
export const EnergySettingsPatch = z
  .object({
    electricityPrice: EnergySettings.shape.electricityPrice.unwrap(),
    currency: EnergySettings.shape.currency.unwrap(),
    tokenPrice: EnergySettings.shape.tokenPrice.unwrap(),
    tokenDecimals: EnergySettings.shape.tokenDecimals.unwrap(),
  })
  .partial()
  .strict();
export type EnergySettingsPatch = z.infer<typeof EnergySettingsPatch>;

/** The energy methods, spread into `apiMethods`. */
export const energyMethods = {
  /** The electricity price, currency and token value in force. */
  'energy.settings.get': { input: z.object({}).strict(), output: EnergySettings },
  /** Changes some of them (validated, saved); jobs already recorded keep the price they ran at. */
  'energy.settings.update': { input: EnergySettingsPatch, output: EnergySettings },
  /** Gross, energy, energy cost and net per job, local day and device, and a projection per day. */
  'earnings.net': { input: EarningsNetInput, output: EarningsNet },
  /** Per-minute device readings for charts (kept 30 days). */
  'telemetry.history': { input: TelemetryHistoryInput, output: TelemetryHistory },
} as const;
