/**
 * The ledger's schema as numbered migrations. Each runs once, in its own transaction together with its
 * row in `schema_migrations`, so a crash leaves the schema at one version or the next, never between.
 * Never edit a migration that has shipped: add the next number (energy and net figures arrive as 2).
 */
import type BetterSqlite3 from 'better-sqlite3';
import { amountCheck } from './amounts.js';
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
