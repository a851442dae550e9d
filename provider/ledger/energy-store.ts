/**
 * Writes each job's energy into the ledger: where and when it ran, the millijoules it used, whether that
 * is an estimate and from what, and the electricity price in force then with the cost rounded from it
 * (provider/energy/money.ts). Kept with the job so a later price change never rewrites past figures.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';
import { energyCostMicro } from '../energy/money.js';
import { formatAmount } from './amounts.js';
import { LedgerError } from './ledger-error.js';
import { checkInput } from './rows.js';

/** One job's run and the energy it used. */
export interface JobEnergyRecord {
  jobId: string;
  deviceId: string;
  startedAt: number;
  endedAt: number;
  /** Whole millijoules attributed to this job. */
  energyMj: bigint;
  estimated: boolean;
  /** Where the power figure came from, for a person ("measured by the device", "typical draw of …"). */
  powerSource: string;
  /** µ-units of `currency` per kWh. */
  priceMicroPerKwh: bigint;
  /** ISO 4217 code, e.g. EUR. */
  currency: string;
}

const Record = z.object({
  jobId: z.string().min(1).max(200),
  deviceId: z.string().min(1).max(200),
  startedAt: z.number().int().nonnegative(),
  endedAt: z.number().int().nonnegative(),
  energyMj: z.bigint().nonnegative().max(BigInt(Number.MAX_SAFE_INTEGER)),
  estimated: z.boolean(),
  powerSource: z.string().max(500),
  priceMicroPerKwh: z.bigint().nonnegative(),
  currency: z.string().regex(/^[A-Z]{3}$/),
});

/** Records job energy; one UPDATE of the job's row per job. */
export class EnergyStore {
  private readonly update;

  constructor(db: BetterSqlite3.Database) {
    this.update = db.prepare(
      `UPDATE jobs SET run_device_id = @deviceId, run_started_at = @startedAt, run_ended_at = @endedAt, energy_mj = @energyMj,
         energy_estimated = @estimated, power_source = @powerSource, electricity_price_micro = @price, electricity_currency = @currency,
         energy_cost_micro = @cost
       WHERE id = @jobId`,
    );
  }

  /** Stores `record` on its job (replacing an earlier figure for the same job); returns the cost in µ-units. */
  record(record: JobEnergyRecord): bigint {
    const checked = checkInput(Record, record, 'job energy record');
    if (checked.endedAt < checked.startedAt) throw new LedgerError('invalid_input', `Job ${checked.jobId} cannot end before it starts.`);
    const cost = energyCostMicro(checked.energyMj, checked.priceMicroPerKwh);
    const changed = this.update.run({
      jobId: checked.jobId,
      deviceId: checked.deviceId,
      startedAt: checked.startedAt,
      endedAt: checked.endedAt,
      energyMj: checked.energyMj,
      estimated: checked.estimated ? 1 : 0,
      powerSource: checked.powerSource,
      price: formatAmount(checked.priceMicroPerKwh),
      currency: checked.currency,
      cost: formatAmount(cost),
    }).changes;
    if (changed === 0) throw new LedgerError('job_unknown', `No job ${checked.jobId} in the ledger to record its energy on.`);
    return cost;
  }
}
