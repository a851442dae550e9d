/**
 * The ledger's schema as numbered migrations. Each runs once, in its own transaction together with its
 * row in `schema_migrations`, so a crash leaves the schema at one version or the next, never between.
 * Never edit a migration that has shipped: add the next number.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { amountCheck } from './amounts.js';
import { CLAIMS_MIGRATION_SQL } from './claims.js';
import { JOB_STATES, UNFINISHED_STATES } from './job-states.js';
import { LedgerError } from './ledger-error.js';

/** One schema step. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const inList = (values: readonly string[]) => values.map((value) => `'${value}'`).join(', ');

/** Every migration, in order; `version` is the position plus one. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'jobs, receipts, credits, vouchers',
    sql: `
      CREATE TABLE jobs (
        row INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        state TEXT NOT NULL CHECK (state IN (${inList(JOB_STATES)})),
        model_sha256 TEXT NOT NULL,
        input_sha256 TEXT NOT NULL,
        token TEXT NOT NULL,
        price TEXT NOT NULL CHECK (${amountCheck('price')}),
        deadline INTEGER NOT NULL,
        spec TEXT NOT NULL,
        spec_signature TEXT NOT NULL,
        device_id TEXT,
        fail_code TEXT,
        reason TEXT,
        offered_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX jobs_unfinished ON jobs (row) WHERE state IN (${inList(UNFINISHED_STATES)});
      CREATE INDEX jobs_by_state ON jobs (state, row);

      CREATE TABLE receipts (
        job_id TEXT PRIMARY KEY REFERENCES jobs (id),
        seq INTEGER NOT NULL UNIQUE CHECK (seq > 0),
        model_sha256 TEXT NOT NULL,
        input_sha256 TEXT NOT NULL,
        output_sha256 TEXT NOT NULL,
        fingerprint_hash TEXT NOT NULL,
        run_ms REAL NOT NULL CHECK (run_ms >= 0),
        execution_provider TEXT NOT NULL,
        device_id TEXT NOT NULL,
        signature TEXT,
        created_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE credits (
        job_id TEXT PRIMARY KEY REFERENCES jobs (id),
        seq INTEGER NOT NULL UNIQUE REFERENCES receipts (seq),
        token TEXT NOT NULL,
        amount TEXT NOT NULL CHECK (${amountCheck('amount')}),
        signature TEXT NOT NULL,
        credited_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX credits_by_time ON credits (credited_at);
      CREATE INDEX credits_by_token ON credits (token);

      CREATE TABLE vouchers (
        row INTEGER PRIMARY KEY AUTOINCREMENT,
        digest TEXT NOT NULL UNIQUE,
        token TEXT NOT NULL,
        provider TEXT NOT NULL,
        recipient TEXT NOT NULL,
        cumulative_amount TEXT NOT NULL CHECK (${amountCheck('cumulative_amount')}),
        expiry INTEGER NOT NULL,
        signature TEXT NOT NULL,
        received_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX vouchers_by_token ON vouchers (token);
    `,
  },
  {
    version: 2,
    name: 'job energy and electricity price, telemetry history',
    // Energy is an integer in millijoules so that cost = energy × price is exact bigint arithmetic; the
    // price in force when the job ran and the cost rounded from it are kept with the job, so a later price
    // change never rewrites past figures. Money columns are canonical decimal TEXT in millionths of the
    // currency unit (µ-units: 0.30 EUR/kWh is '300000'), never REAL. telemetry_samples holds one row per
    // device per minute for charts; the recorder deletes rows older than the retention window. run_device_id
    // is where the job ran, known even for a failed run (device_id is set only with a receipt).
    sql: `
      ALTER TABLE jobs ADD COLUMN run_device_id TEXT;
      ALTER TABLE jobs ADD COLUMN run_started_at INTEGER;
      ALTER TABLE jobs ADD COLUMN run_ended_at INTEGER CHECK (run_ended_at IS NULL OR run_ended_at >= run_started_at);
      ALTER TABLE jobs ADD COLUMN energy_mj INTEGER CHECK (energy_mj IS NULL OR energy_mj >= 0);
      ALTER TABLE jobs ADD COLUMN energy_estimated INTEGER CHECK (energy_estimated IS NULL OR energy_estimated IN (0, 1));
      ALTER TABLE jobs ADD COLUMN power_source TEXT;
      ALTER TABLE jobs ADD COLUMN electricity_price_micro TEXT CHECK (electricity_price_micro IS NULL OR (${amountCheck('electricity_price_micro')}));
      ALTER TABLE jobs ADD COLUMN electricity_currency TEXT CHECK (electricity_currency IS NULL OR (length(electricity_currency) = 3 AND electricity_currency GLOB '[A-Z][A-Z][A-Z]'));
      ALTER TABLE jobs ADD COLUMN energy_cost_micro TEXT CHECK (energy_cost_micro IS NULL OR (${amountCheck('energy_cost_micro')}));
      CREATE INDEX jobs_by_run_end ON jobs (run_ended_at) WHERE energy_mj IS NOT NULL;

      CREATE TABLE telemetry_samples (
        device_id TEXT NOT NULL,
        minute INTEGER NOT NULL CHECK (minute % 60000 = 0),
        samples INTEGER NOT NULL CHECK (samples > 0),
        utilization_pct REAL CHECK (utilization_pct IS NULL OR utilization_pct BETWEEN 0 AND 100),
        temperature_max_c REAL,
        power_avg_w REAL CHECK (power_avg_w IS NULL OR power_avg_w >= 0),
        power_limit_w REAL CHECK (power_limit_w IS NULL OR power_limit_w >= 0),
        vram_used_bytes INTEGER CHECK (vram_used_bytes IS NULL OR vram_used_bytes >= 0),
        vram_total_bytes INTEGER CHECK (vram_total_bytes IS NULL OR vram_total_bytes >= 0),
        PRIMARY KEY (device_id, minute)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX telemetry_samples_by_minute ON telemetry_samples (minute);
    `,
  },
  {
    version: 3,
    name: 'claims',
    sql: CLAIMS_MIGRATION_SQL,
  },
];

/** The newest schema version this build knows. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** The schema version a database is at (0 for a new file). */
export function schemaVersion(db: BetterSqlite3.Database): number {
  const version = db.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get();
  return typeof version === 'number' ? version : 0;
}

/** Brings the database to `SCHEMA_VERSION`; returns the versions it applied (none when up to date). */
export function migrate(db: BetterSqlite3.Database, path: string, now: () => number, migrations: readonly Migration[] = MIGRATIONS): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT');
  const newest = migrations.length;
  const known = schemaVersion(db);
  if (known > newest) {
    throw new LedgerError(
      'ledger_too_new',
      `The ledger at ${path} was written by a newer Hearth (schema ${known}; this one knows ${newest}). Update Hearth to open it; it was left untouched.`,
    );
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const applied: number[] = [];
  for (const migration of migrations.slice(known)) {
    // IMMEDIATE takes the write lock first, so a second process opening the same file waits, then sees
    // the step done and skips it.
    const step = db.transaction(() => {
      if (schemaVersion(db) >= migration.version) return false;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, now());
      return true;
    });
    if (step.immediate()) applied.push(migration.version);
  }
  return applied;
}
