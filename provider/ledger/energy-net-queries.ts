/**
 * Net earnings after electricity: per job, per local day and per device. A job counts at the end of its
 * run (or, with no energy recorded, when it was credited). Its gross is what the coordinator credited,
 * valued at the caller's token price; its cost is the one stored when it ran; net = gross − cost. Every
 * figure is computed per job in exact bigint µ-units (provider/energy/money.ts) and then summed, so any
 * grouping adds up exactly to the sum of its jobs. Jobs whose cost was recorded in another currency are
 * left out and counted, never converted.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { localDayOf } from '../energy/local-day.js';
import { tokenValueMicro } from '../energy/money.js';
import { LedgerError } from './ledger-error.js';

/** How to value the gross: the report's currency and what one whole token is worth in it. */
export interface NetValuation {
  currency: string;
  /** µ-units of `currency` per whole token. */
  tokenPriceMicro: bigint;
  tokenDecimals: number;
}

/** Jobs counted at `from` (inclusive) up to `to` (exclusive), epoch ms. */
export interface NetRange {
  from: number;
  to: number;
}

/** Sums over a group of jobs. */
export interface NetFigures {
  jobs: number;
  energyMj: bigint;
  /** Jobs whose energy is (partly) the typical draw rather than measured. */
  estimatedJobs: number;
  /** Credited jobs with no energy recorded (they ran before metering, or the provider stopped first). */
  unmeteredJobs: number;
  grossMicro: bigint;
  costMicro: bigint;
  netMicro: bigint;
}

/** One job's figures. */
export interface JobNet {
  jobId: string;
  state: string;
  /** When it counts: the end of its run, else its credit time. */
  at: number;
  deviceId: string | null;
  token: string;
  credited: string | null;
  energyMj: bigint | null;
  estimated: boolean | null;
  powerSource: string | null;
  priceMicroPerKwh: bigint | null;
  grossMicro: bigint;
  costMicro: bigint;
  netMicro: bigint;
}

/** Net earnings over a range, grouped three ways. */
export interface NetReport {
  totals: NetFigures;
  /** Local calendar days (YYYY-MM-DD in `timeZone`), oldest first; days without jobs are left out. */
  byDay: Array<NetFigures & { day: string }>;
  /** Devices by id (null: not known), largest net first. */
  byDevice: Array<NetFigures & { deviceId: string | null }>;
  /** Jobs left out because their cost was recorded in another currency. */
  otherCurrencyJobs: number;
}

type RawJob = [string, string, number, string | null, string, string | null, number | null, number | null, string | null, string | null, string | null, string | null];

const METERED = `
  SELECT j.id, j.state, j.run_ended_at AS at, COALESCE(j.run_device_id, j.device_id) AS device, j.token, c.amount AS credited, j.energy_mj AS energy,
         j.energy_estimated AS estimated, j.power_source, j.electricity_price_micro, j.electricity_currency AS currency, j.energy_cost_micro AS cost
  FROM jobs j LEFT JOIN credits c ON c.job_id = j.id
  WHERE j.energy_mj IS NOT NULL AND j.run_ended_at >= @from AND j.run_ended_at < @to`;
const UNMETERED = `
  SELECT j.id, j.state, c.credited_at AS at, COALESCE(j.run_device_id, j.device_id), j.token, c.amount, NULL, NULL, NULL, NULL, NULL, NULL
  FROM credits c JOIN jobs j ON j.id = c.job_id
  WHERE c.credited_at >= @from AND c.credited_at < @to AND j.energy_mj IS NULL`;
const PICKED = `${METERED} UNION ALL ${UNMETERED}`;

// The report groups jobs by quarter hour (every real UTC offset is a whole number of them, so each group
// lies in one local day), device and credited amount: jobs with the same amount have the same rounded
// gross, so a group's gross is its count times one job's, exactly the sum of its jobs' figures.
const GROUPED = `
  SELECT at / 900000 AS quarter, device, credited, COALESCE(currency <> @currency, 0) AS other, COUNT(*) AS jobs, COALESCE(SUM(energy), 0) AS energy,
         COALESCE(SUM(estimated), 0) AS estimated, SUM(energy IS NULL AND credited IS NOT NULL) AS unmetered, decimal_sum(COALESCE(cost, '0')) AS cost
  FROM (${PICKED}) GROUP BY quarter, device, credited, other ORDER BY quarter`;

type RawGroup = [number, string | null, string | null, number, number, number, number, number, string];

/** A zero NetFigures. */
export function emptyFigures(): NetFigures {
  return { jobs: 0, energyMj: 0n, estimatedJobs: 0, unmeteredJobs: 0, grossMicro: 0n, costMicro: 0n, netMicro: 0n };
}

/** Adds one job into a group's figures. */
export function addJob(figures: NetFigures, job: JobNet): void {
  figures.jobs += 1;
  figures.energyMj += job.energyMj ?? 0n;
  if (job.estimated === true) figures.estimatedJobs += 1;
  if (job.energyMj === null && job.credited !== null) figures.unmeteredJobs += 1;
  figures.grossMicro += job.grossMicro;
  figures.costMicro += job.costMicro;
  figures.netMicro += job.netMicro;
}

/** Adds a group's figures into another's. */
function addFigures(into: NetFigures, group: NetFigures): void {
  into.jobs += group.jobs;
  into.energyMj += group.energyMj;
  into.estimatedJobs += group.estimatedJobs;
  into.unmeteredJobs += group.unmeteredJobs;
  into.grossMicro += group.grossMicro;
  into.costMicro += group.costMicro;
  into.netMicro += group.netMicro;
}

/** Read-only net earnings queries. */
export class EnergyNetQueries {
  private readonly inOrder;
  private readonly newestFirst;
  private readonly grouped;

  constructor(db: BetterSqlite3.Database) {
    this.grouped = db.prepare(GROUPED).raw();
    this.inOrder = db.prepare(`SELECT * FROM (${PICKED}) ORDER BY at, 1`).raw();
    // Two index-ordered scans, merged here: a sort over the union would read the whole range.
    this.newestFirst = {
      metered: db.prepare(`${METERED} AND j.electricity_currency = @currency ORDER BY at DESC, 1 DESC LIMIT @limit`).raw(),
      unmetered: db.prepare(`${UNMETERED} ORDER BY at DESC, 1 DESC LIMIT @limit`).raw(),
    };
  }

  /** Every job in `range` with its figures, oldest first; a job costed in another currency has `otherCurrency` set and zero figures. */
  *jobs(range: NetRange, valuation: NetValuation): Generator<JobNet & { otherCurrency: boolean }> {
    checkRange(range);
    for (const raw of this.inOrder.iterate(range) as Iterable<RawJob>) yield toJobNet(raw, valuation);
  }

  /** The newest `limit` jobs in `range` costed in the valuation's currency (or not metered), newest first, with their figures. */
  newest(range: NetRange, valuation: NetValuation, limit: number): JobNet[] {
    checkRange(range);
    const merged = [
      ...(this.newestFirst.metered.all({ ...range, limit, currency: valuation.currency }) as RawJob[]),
      ...(this.newestFirst.unmetered.all({ ...range, limit }) as RawJob[]),
    ];
    merged.sort((a, b) => b[2] - a[2] || (a[0] < b[0] ? 1 : a[0] > b[0] ? -1 : 0));
    return merged.slice(0, limit).map((raw) => toJobNet(raw, valuation));
  }

  /** Totals, local days in `timeZone` and devices over `range`. */
  report(range: NetRange, valuation: NetValuation, timeZone: string): NetReport {
    let dayOf: (at: number) => string;
    try {
      dayOf = localDayOf(timeZone);
    } catch {
      throw new LedgerError('invalid_input', `Unknown time zone ${JSON.stringify(timeZone.slice(0, 100))}; use an IANA name such as Europe/Berlin.`);
    }
    checkRange(range);
    const params = { ...range, currency: valuation.currency };
    const totals = emptyFigures();
    const days = new Map<string, NetFigures>();
    const devices = new Map<string | null, NetFigures>();
    let otherCurrencyJobs = 0;
    for (const [quarter, deviceId, credited, other, jobs, energy, estimated, unmetered, cost] of this.grouped.iterate(params) as Iterable<RawGroup>) {
      if (other === 1) {
        otherCurrencyJobs += jobs;
        continue;
      }
      const grossMicro = credited === null ? 0n : BigInt(jobs) * tokenValueMicro(BigInt(credited), valuation.tokenPriceMicro, valuation.tokenDecimals);
      const group: NetFigures = { jobs, energyMj: BigInt(energy), estimatedJobs: estimated, unmeteredJobs: unmetered, grossMicro, costMicro: BigInt(cost), netMicro: grossMicro - BigInt(cost) };
      const day = dayOf(quarter * 900_000);
      addFigures(totals, group);
      addFigures(days.get(day) ?? days.set(day, emptyFigures()).get(day)!, group);
      addFigures(devices.get(deviceId) ?? devices.set(deviceId, emptyFigures()).get(deviceId)!, group);
    }
    const byDevice = [...devices].map(([deviceId, figures]) => ({ deviceId, ...figures }));
    byDevice.sort((a, b) => (a.netMicro === b.netMicro ? String(a.deviceId).localeCompare(String(b.deviceId)) : a.netMicro > b.netMicro ? -1 : 1));
    return { totals, byDay: [...days].map(([day, figures]) => ({ day, ...figures })), byDevice, otherCurrencyJobs };
  }
}

function checkRange(range: NetRange): void {
  if (!Number.isSafeInteger(range.from) || !Number.isSafeInteger(range.to) || range.from > range.to) {
    throw new LedgerError('invalid_input', `Not a time range: from ${range.from} to ${range.to} (epoch ms, from ≤ to).`);
  }
}

function toJobNet(raw: RawJob, valuation: NetValuation): JobNet & { otherCurrency: boolean } {
  const [jobId, state, at, deviceId, token, credited, energyMj, estimated, powerSource, price, currency, cost] = raw;
  const otherCurrency = currency !== null && currency !== valuation.currency;
  const grossMicro = credited === null || otherCurrency ? 0n : tokenValueMicro(BigInt(credited), valuation.tokenPriceMicro, valuation.tokenDecimals);
  const costMicro = cost === null || otherCurrency ? 0n : BigInt(cost);
  return {
    jobId,
    state,
    at,
    deviceId,
    token,
    credited,
    energyMj: energyMj === null ? null : BigInt(energyMj),
    estimated: estimated === null ? null : estimated === 1,
    powerSource,
    priceMicroPerKwh: price === null ? null : BigInt(price),
    grossMicro,
    costMicro,
    netMicro: grossMicro - costMicro,
    otherCurrency,
  };
}
