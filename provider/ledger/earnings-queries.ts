/**
 * What the Earnings page shows: credited amounts by hour, day or week in the user's time zone, by model
 * and by device. Always grouped by token too (amounts in different tokens never add up), summed exactly
 * with `decimal_sum`, and returned as decimal strings of base units. Empty buckets are left out.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';
import { LedgerError } from './ledger-error.js';
import { parseRow } from './rows.js';

/** The bucket size of `byPeriod`. */
export type EarningsPeriod = 'hour' | 'day' | 'week';

/** Credit times to include, epoch ms: `from` inclusive, `to` exclusive; both optional. */
export interface EarningsRange {
  from?: number;
  to?: number;
}

/** One bucket; `start` is the bucket's first millisecond (local midnight or hour, as epoch ms). */
export interface EarningsBucket {
  start: number;
  token: string;
  amount: string;
  jobs: number;
}

/** Everything credited in one token. */
export interface TokenEarnings {
  token: string;
  amount: string;
  jobs: number;
}

/** Credits for one model (by sha256) in one token. */
export interface ModelEarnings {
  modelSha256: string;
  token: string;
  amount: string;
  jobs: number;
}

/** Credits for one device (as named in receipts) in one token. */
export interface DeviceEarnings {
  deviceId: string;
  token: string;
  amount: string;
  jobs: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PERIOD_MS: Record<EarningsPeriod, number> = { hour: HOUR, day: DAY, week: 7 * DAY };
// The epoch began on a Thursday; weeks start on Monday, three days later in the cycle.
const WEEK_ALIGN = 3 * DAY;
/** Real time zones lie within UTC−12:00 … UTC+14:00. */
const MAX_OFFSET_MINUTES = 14 * 60;

// A sum may run past the 78 digits of one amount.
const Totals = z.object({ token: z.string(), amount: z.string().regex(/^(0|[1-9][0-9]*)$/), jobs: z.number().int().positive() });
const BucketRow = Totals.extend({ start: z.number().int() });
const ModelRow = Totals.extend({ modelSha256: z.string() });
const DeviceRow = Totals.extend({ deviceId: z.string() });

const RANGE = 'c.credited_at >= @from AND c.credited_at < @to';
/** Orders the groups of `grouped` by their total, largest first (in an expression a bare `amount` would name a row's credit, not the group's sum). */
const byAmount = (grouped: string) => `SELECT * FROM (${grouped}) ORDER BY token, length(amount) DESC, amount DESC`;

/** Read-only earnings queries over credits. */
export class EarningsQueries {
  private readonly byPeriodStatement;
  private readonly byModelStatement;
  private readonly byDeviceStatement;
  private readonly byTokenStatement;

  constructor(db: BetterSqlite3.Database) {
    this.byPeriodStatement = db.prepare(
      `SELECT ((c.credited_at + @shift) / @size) * @size - @shift AS start, c.token, decimal_sum(c.amount) AS amount, COUNT(*) AS jobs
       FROM credits c WHERE ${RANGE} GROUP BY start, c.token ORDER BY start, c.token`,
    );
    this.byModelStatement = db.prepare(
      byAmount(`SELECT j.model_sha256 AS modelSha256, c.token, decimal_sum(c.amount) AS amount, COUNT(*) AS jobs
       FROM credits c JOIN jobs j ON j.id = c.job_id WHERE ${RANGE} GROUP BY j.model_sha256, c.token`),
    );
    this.byDeviceStatement = db.prepare(
      byAmount(`SELECT r.device_id AS deviceId, c.token, decimal_sum(c.amount) AS amount, COUNT(*) AS jobs
       FROM credits c JOIN receipts r ON r.seq = c.seq WHERE ${RANGE} GROUP BY r.device_id, c.token`),
    );
    this.byTokenStatement = db.prepare(`SELECT c.token, decimal_sum(c.amount) AS amount, COUNT(*) AS jobs FROM credits c WHERE ${RANGE} GROUP BY c.token ORDER BY c.token`);
  }

  /** Credits per token: the totals the Earnings page leads with. */
  byToken(range: EarningsRange = {}): TokenEarnings[] {
    return this.byTokenStatement.all(bounds(range)).map((row) => parseRow(Totals, row, 'earnings'));
  }

  /**
   * Credits per hour, day (local midnight to midnight) or week (from Monday 00:00) for a fixed UTC offset
   * in minutes (east positive: +60 for CET, −300 for EST). One offset covers the whole range: pass the
   * offset of now; buckets before a daylight-saving change are then an hour off, as in most dashboards.
   */
  byPeriod(period: EarningsPeriod, range: EarningsRange, utcOffsetMinutes: number): EarningsBucket[] {
    if (!Number.isInteger(utcOffsetMinutes) || Math.abs(utcOffsetMinutes) > MAX_OFFSET_MINUTES) {
      throw new LedgerError('invalid_input', `A UTC offset is whole minutes within ±${MAX_OFFSET_MINUTES}; got ${utcOffsetMinutes}.`);
    }
    const size = PERIOD_MS[period];
    // Local time is UTC + offset; a bucket boundary is where (t + shift) is a multiple of size. Keeping the
    // shift in [0, size) keeps SQLite's truncating division a floor for any t ≥ 0.
    const align = period === 'week' ? WEEK_ALIGN : 0;
    const shift = (((utcOffsetMinutes * 60_000 + align) % size) + size) % size;
    // As BigInt so SQLite binds INTEGERs and divides as integers (a JS number is bound as REAL).
    return this.byPeriodStatement.all({ ...bounds(range), shift: BigInt(shift), size: BigInt(size) }).map((row) => parseRow(BucketRow, row, 'earnings'));
  }

  /** Credits per model, largest first within each token. */
  byModel(range: EarningsRange = {}): ModelEarnings[] {
    return this.byModelStatement.all(bounds(range)).map((row) => parseRow(ModelRow, row, 'earnings'));
  }

  /** Credits per device (the one named in each job's receipt), largest first within each token. */
  byDevice(range: EarningsRange = {}): DeviceEarnings[] {
    return this.byDeviceStatement.all(bounds(range)).map((row) => parseRow(DeviceRow, row, 'earnings'));
  }
}

function bounds(range: EarningsRange): { from: number; to: number } {
  const from = range.from ?? 0;
  const to = range.to ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from) {
    throw new LedgerError('invalid_input', `A time range is two epoch-millisecond integers, from ≤ to; got ${from} … ${to}.`);
  }
  return { from, to };
}
