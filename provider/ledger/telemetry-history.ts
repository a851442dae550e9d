/**
 * Telemetry history for charts: one row per device per minute (average utilization and power, hottest
 * temperature, most VRAM used), kept for a retention window. A field that was never measured during the
 * minute is NULL, never 0.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';
import { LedgerError } from './ledger-error.js';
import { checkInput, parseRow } from './rows.js';

/** One device-minute. */
export interface TelemetryMinute {
  deviceId: string;
  /** The minute's first millisecond (epoch ms, a multiple of 60000). */
  minute: number;
  /** Sampling passes folded into this row. */
  samples: number;
  utilizationPct: number | null;
  temperatureMaxC: number | null;
  powerAvgW: number | null;
  powerLimitW: number | null;
  vramUsedBytes: number | null;
  vramTotalBytes: number | null;
}

/** Most rows one history read may ask for (a day of one device is 1440 rows). */
export const MAX_HISTORY_ROWS = 100_000;

const Nullable = (schema: z.ZodNumber) => schema.nullable();
const Minute = z.object({
  deviceId: z.string().min(1).max(200),
  minute: z.number().int().nonnegative().multipleOf(60_000),
  samples: z.number().int().positive(),
  utilizationPct: Nullable(z.number().min(0).max(100)),
  temperatureMaxC: Nullable(z.number().min(-100).max(300)),
  powerAvgW: Nullable(z.number().min(0)),
  powerLimitW: Nullable(z.number().min(0)),
  vramUsedBytes: Nullable(z.number().int().min(0)),
  vramTotalBytes: Nullable(z.number().int().min(0)),
});

const COLUMNS = `device_id AS deviceId, minute, samples, utilization_pct AS utilizationPct, temperature_max_c AS temperatureMaxC,
  power_avg_w AS powerAvgW, power_limit_w AS powerLimitW, vram_used_bytes AS vramUsedBytes, vram_total_bytes AS vramTotalBytes`;

/** Reads and writes the telemetry_samples table. */
export class TelemetryHistory {
  private readonly upsert;
  private readonly pruneStatement;
  private readonly rangeAll;
  private readonly rangeDevice;

  constructor(db: BetterSqlite3.Database) {
    this.upsert = db.prepare(
      `INSERT OR REPLACE INTO telemetry_samples (device_id, minute, samples, utilization_pct, temperature_max_c, power_avg_w, power_limit_w, vram_used_bytes, vram_total_bytes)
       VALUES (@deviceId, @minute, @samples, @utilizationPct, @temperatureMaxC, @powerAvgW, @powerLimitW, @vramUsedBytes, @vramTotalBytes)`,
    );
    this.pruneStatement = db.prepare('DELETE FROM telemetry_samples WHERE minute < ?');
    this.rangeAll = db.prepare(`SELECT ${COLUMNS} FROM telemetry_samples WHERE minute >= @from AND minute < @to ORDER BY minute, device_id LIMIT @limit`);
    this.rangeDevice = db.prepare(
      `SELECT ${COLUMNS} FROM telemetry_samples WHERE device_id = @deviceId AND minute >= @from AND minute < @to ORDER BY minute LIMIT @limit`,
    );
  }

  /** Stores one device-minute (replacing a row for the same device and minute). */
  write(row: TelemetryMinute): void {
    this.upsert.run(checkInput(Minute, row, 'telemetry minute'));
  }

  /** Deletes rows older than `before` (epoch ms); returns how many went. */
  prune(before: number): number {
    return this.pruneStatement.run(before).changes;
  }

  /** Rows with `from` ≤ minute < `to`, oldest first, for one device or all; at most `limit`. */
  read(range: { from: number; to: number; deviceId?: string; limit?: number }): TelemetryMinute[] {
    const limit = range.limit ?? MAX_HISTORY_ROWS;
    if (!(range.from <= range.to) || !Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_ROWS) {
      throw new LedgerError('invalid_input', `Not a telemetry range: from ${range.from} to ${range.to}, at most ${MAX_HISTORY_ROWS} rows.`);
    }
    const params = { from: range.from, to: range.to, limit };
    const rows = range.deviceId === undefined ? this.rangeAll.all(params) : this.rangeDevice.all({ ...params, deviceId: range.deviceId });
    return rows.map((row) => parseRow(Minute, row, 'telemetry'));
  }
}
